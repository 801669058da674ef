import type { AcknowledgedChange, AcknowledgedSchedule, Intent, ScheduleState } from '../checker/index.js';
import { sleep } from '../stack/process.js';
import type { Answer, Api } from './client.js';

/** A schedule as the API answers it (the fields the suite reads). */
export interface ScheduleBody {
  id: string;
  name: string;
  /** The rule as sent (the canonical text before the API kept the sent one). */
  rrule: string;
  /** The rule as the scheduler reads it: DTSTART included (absent from older APIs, whose `rrule` is it). */
  canonical_rrule?: string;
  timezone: string;
  callback_url: string;
  status: ScheduleState['status'];
  version: number;
}

const stateOf = (s: ScheduleBody): ScheduleState => ({
  rrule: s.canonical_rrule ?? s.rrule,
  timezone: s.timezone,
  callbackUrl: s.callback_url,
  status: s.status,
  version: s.version,
});

/**
 * What the API acknowledged: every schedule it answered 201 for, and every change it answered
 * 2xx for, with when each was sent and answered. The checker expects exactly what this says.
 * An answer that never came (or a 5xx) acknowledges nothing, so it is not recorded.
 */
export class Ledger {
  readonly schedules = new Map<string, AcknowledgedSchedule>();
  /** Requests that got no answer (or a 5xx) but took effect, found by reading back. */
  readonly unanswered: string[] = [];

  constructor(private readonly api: Api) {}

  /** No answer, or a server error: the request may or may not have taken effect. */
  private static uncertain(answer: Answer): boolean {
    return answer.status === 0 || answer.status >= 500;
  }

  /** Reads a schedule back (patiently: the API may be slow): its state, null when it is gone, undefined when unreadable. */
  private async readBack(id: string, tenant: string): Promise<{ state: ScheduleState | null; at: number } | undefined> {
    for (let i = 0; i < 10; i++) {
      const read = await this.api.call<ScheduleBody>('GET', `/api/schedules/${id}`, { tenant });
      if (read.status === 200) return { state: stateOf(read.body), at: read.ackAt };
      if (read.status === 404) return { state: null, at: read.ackAt };
      await sleep(3000);
    }
    return undefined;
  }

  /**
   * A change whose answer never came took effect if the schedule moved to a newer version (or
   * is gone, for a delete): it is recorded as acknowledged when the read-back saw it, so the
   * checker's in-flight window covers the whole uncertainty.
   */
  private async settle(id: string, kind: AcknowledgedChange['kind'], answer: Answer): Promise<void> {
    const schedule = this.schedules.get(id);
    const known = schedule?.changes.findLast((c) => c.state)?.state;
    if (!schedule || !known) return;
    const read = await this.readBack(id, schedule.tenant);
    if (!read) throw new Error(`ledger: ${kind} of ${id} got no answer and the schedule cannot be read back`);
    const applied = kind === 'delete' ? read.state === null : read.state !== null && read.state.version > known.version;
    if (!applied) return;
    this.unanswered.push(`${kind} of ${id} answered ${answer.status || answer.error} but took effect`);
    schedule.changes.push({
      kind,
      sentAt: answer.sentAt,
      ackAt: read.at,
      ...(read.state ? { state: read.state } : {}),
    });
  }

  all(): AcknowledgedSchedule[] {
    return [...this.schedules.values()];
  }

  live(): AcknowledgedSchedule[] {
    return this.all().filter((s) => s.changes.at(-1)?.kind !== 'delete');
  }

  private note(id: string, change: AcknowledgedChange) {
    const schedule = this.schedules.get(id);
    if (!schedule) throw new Error(`ledger: unknown schedule ${id}`);
    schedule.changes.push(change);
  }

  async create(tenant: string, input: Record<string, unknown>, intent: Intent): Promise<Answer<ScheduleBody>> {
    const answer = await this.api.call<ScheduleBody>('POST', '/api/schedules', { tenant, body: input });
    if (answer.status === 201) {
      const change: AcknowledgedChange = {
        kind: 'create',
        sentAt: answer.sentAt,
        ackAt: answer.ackAt,
        state: stateOf(answer.body),
      };
      this.schedules.set(answer.body.id, { id: answer.body.id, tenant, changes: [change], intent });
    } else if (Ledger.uncertain(answer) && typeof input.name === 'string') {
      await this.findUnanswered(tenant, input.name, answer, intent);
    }
    return answer;
  }

  /** A create that got no answer but stored the schedule (names are unique per run): recorded as seen. */
  private async findUnanswered(tenant: string, name: string, answer: Answer, intent: Intent): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const list = await this.api.call<{ schedules: ScheduleBody[] }>(
        'GET',
        `/api/schedules?name=${encodeURIComponent(name)}&limit=10`,
        { tenant },
      );
      if (list.status !== 200) continue;
      const found = list.body.schedules.find((s) => s.name === name);
      if (found) {
        this.unanswered.push(`create "${name}" answered ${answer.status || answer.error} but stored ${found.id}`);
        const change: AcknowledgedChange = {
          kind: 'create',
          sentAt: answer.sentAt,
          ackAt: list.ackAt,
          state: stateOf(found),
        };
        this.schedules.set(found.id, { id: found.id, tenant, changes: [change], intent });
      }
      return;
    }
  }

  private tenantOf(id: string): string {
    const schedule = this.schedules.get(id);
    if (!schedule) throw new Error(`ledger: unknown schedule ${id}`);
    return schedule.tenant;
  }

  async update(id: string, patch: Record<string, unknown>): Promise<Answer<ScheduleBody>> {
    const answer = await this.api.call<ScheduleBody>('PATCH', `/api/schedules/${id}`, {
      tenant: this.tenantOf(id),
      body: patch,
    });
    if (answer.status === 200)
      this.note(id, { kind: 'update', sentAt: answer.sentAt, ackAt: answer.ackAt, state: stateOf(answer.body) });
    else if (Ledger.uncertain(answer)) await this.settle(id, 'update', answer);
    return answer;
  }

  async pause(id: string): Promise<Answer<ScheduleBody>> {
    return this.transition(id, 'pause');
  }

  async resume(id: string): Promise<Answer<ScheduleBody>> {
    return this.transition(id, 'resume');
  }

  private async transition(id: string, kind: 'pause' | 'resume'): Promise<Answer<ScheduleBody>> {
    const answer = await this.api.call<ScheduleBody>('POST', `/api/schedules/${id}/${kind}`, {
      tenant: this.tenantOf(id),
    });
    if (answer.status === 200)
      this.note(id, { kind, sentAt: answer.sentAt, ackAt: answer.ackAt, state: stateOf(answer.body) });
    else if (Ledger.uncertain(answer)) await this.settle(id, kind, answer);
    return answer;
  }

  /**
   * The harness's closing pause, after the observation: recorded when answered, never read back
   * (nothing after the observation is judged, and a slow API must not hold the run up).
   */
  async stop(id: string): Promise<Answer<ScheduleBody>> {
    const answer = await this.api.call<ScheduleBody>('POST', `/api/schedules/${id}/pause`, {
      tenant: this.tenantOf(id),
      timeoutMs: 10_000,
    });
    if (answer.status === 200)
      this.note(id, { kind: 'pause', sentAt: answer.sentAt, ackAt: answer.ackAt, state: stateOf(answer.body) });
    return answer;
  }

  async remove(id: string): Promise<Answer> {
    const answer = await this.api.call('DELETE', `/api/schedules/${id}`, { tenant: this.tenantOf(id) });
    if (answer.status === 204) this.note(id, { kind: 'delete', sentAt: answer.sentAt, ackAt: answer.ackAt });
    else if (Ledger.uncertain(answer)) await this.settle(id, 'delete', answer);
    return answer;
  }
}
