import type { AllowList } from '@event-scheduler/callback';
import type { ScheduleService } from './schedule.service.js';
import { checkCallbackTarget, checkCallbackUrl } from './schedule-input.js';

/**
 * The schedule service, with every callback URL it is given checked against the SSRF policy
 * first: a URL whose host is a blocked address literal would make every delivery fail
 * (`ssrf_blocked`), so create and update refuse it with a 400 instead.
 */
export function withCallbackTargetCheck(schedules: ScheduleService, allow: AllowList): ScheduleService {
  const check = (url: string | undefined) => {
    if (url === undefined) return;
    checkCallbackTarget(checkCallbackUrl(url), allow);
  };
  return {
    ...schedules,
    create(tenantId, input) {
      check(input.callback_url);
      return schedules.create(tenantId, input);
    },
    update(tenantId, id, patch) {
      check(patch.callback_url);
      return schedules.update(tenantId, id, patch);
    },
  };
}
