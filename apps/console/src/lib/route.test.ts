import { describe, expect, it } from '@jest/globals';
import { parseRoute, type Route, routeHref } from './route.js';

describe('console routes', () => {
  it('reads every page from the fragment', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/overview')).toEqual({ page: 'overview' });
    expect(parseRoute('#/signing')).toEqual({ page: 'signing' });
    expect(parseRoute('#/schedules')).toEqual({ page: 'schedules', query: { page: 1, status: '', name: '' } });
    expect(parseRoute('#/schedules?page=3&status=paused&name=back%20up')).toEqual({
      page: 'schedules',
      query: { page: 3, status: 'paused', name: 'back up' },
    });
    expect(parseRoute('#/schedules/new')).toEqual({ page: 'new-schedule' });
    expect(parseRoute('#/schedules/abc123')).toEqual({ page: 'schedule', id: 'abc123' });
    expect(parseRoute('#/schedules/abc123/edit')).toEqual({ page: 'edit-schedule', id: 'abc123' });
  });

  it('treats a bad page number as the first page and an unknown path as not found', () => {
    for (const bad of ['0', '-2', '1.5', 'x', '']) {
      expect(parseRoute(`#/schedules?page=${bad}`)).toMatchObject({ query: { page: 1 } });
    }
    expect(parseRoute('#/nowhere/else')).toEqual({ page: 'not-found', path: '/nowhere/else' });
    expect(parseRoute('#/schedules/a/b/c')).toMatchObject({ page: 'not-found' });
  });

  it('writes fragments that read back as the same route', () => {
    const routes: Route[] = [
      { page: 'overview' },
      { page: 'signing' },
      { page: 'new-schedule' },
      { page: 'schedule', id: 'a/b c' },
      { page: 'edit-schedule', id: '65f0' },
      { page: 'schedules', query: { page: 1, status: '', name: '' } },
      { page: 'schedules', query: { page: 4, status: 'active', name: 'nightly & weekly' } },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });
});
