/**
 * `worker.ssrf_allow_list` is read by the worker and by the API: a bad entry stops either at
 * start like any other bad setting (exit 78, one line naming the key, the variable and the bad
 * entry), never with a stack trace.
 */
import { type AppName, spawnService, testServices } from '@event-scheduler/testing';
import { describe, expect, it } from '@jest/globals';

const services = testServices('api-config-exit');

describe.each<AppName>(['worker', 'api'])('the %s service', (app) => {
  it('stops with exit 78 and one line on an invalid WORKER_SSRF_ALLOW_LIST', async () => {
    const service = spawnService(app, { ...services.env, WORKER_SSRF_ALLOW_LIST: '127.0.0.1,10.0.0.0/99' });
    expect(await service.exited).toBe(78);
    expect(service.stderr).toEqual([
      `${app}: invalid configuration: worker.ssrf_allow_list = "127.0.0.1,10.0.0.0/99" (from WORKER_SSRF_ALLOW_LIST): ` +
        'expected empty or a comma-separated list of IPs, CIDRs and host names (10.0.0.0/99 is not a valid CIDR)',
    ]);
  }, 30_000);
});
