/**
 * The operator console end to end: Debian's Chromium, driven by playwright-core, against the four
 * built services. Sign in, create a schedule from the form with a TZID rule and see its preview,
 * watch its first delivery appear in the history, pause it, trigger it, delete it; the overview's
 * charts, the signing secret; every page checked with axe-core (WCAG 2 A/AA) and at phone width.
 * The tests run in order and share one browser page, as a person would use the console.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { axeViolations, horizontalOverflow, launchChromium, screenshot, watchErrors } from './browser.js';
import { type Stack, startStack } from './stack.js';

jest.setTimeout(90_000);

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let key: string;
let scheduleUrl: string;
const NAME = 'Berlin morning report';

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack('console-e2e'), launchChromium()]);
  key = await stack.newKey();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  errors = watchErrors(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const codes = await stack?.stop();
  expect(codes).toEqual([0, 0, 0, 0]);
}, 60_000);

/** A wall time in Berlin as an RFC 5545 local DATE-TIME (20261201T093000) and as the console shows it (09:30:00). */
function berlin(at: Date): { rule: string; shown: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    rule: `${parts.year}${parts.month}${parts.day}T${parts.hour}${parts.minute}${parts.second}`,
    shown: `${parts.hour}:${parts.minute}:${parts.second}`,
  };
}

async function expectAccessible(where: Page = page): Promise<void> {
  expect(await axeViolations(where)).toEqual([]);
}

describe('the operator console', () => {
  it('signs in with an API key, refusing a wrong one, and keeps it in session storage only', async () => {
    await page.goto(`${stack.apiUrl}/ui/`);
    await page.getByRole('heading', { name: 'Event Scheduler console' }).waitFor();
    await expectAccessible();
    await screenshot(page, 'sign-in');

    await page.getByLabel('API key').fill('sk_wrong-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('unauthorized');

    await page.getByLabel('API key').fill(key);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("event-scheduler.api-key")')).toBe(key);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    // A new page puts the keyboard focus on its heading; a skip link leads past the navigation.
    expect(await page.evaluate('document.activeElement.tagName + " " + document.activeElement.textContent')).toBe(
      'H1 Overview',
    );
    expect(await page.getByRole('link', { name: 'Skip to content' }).getAttribute('href')).toBe('#main');
  });

  it('creates a schedule from the form with a TZID rule, previewing it in Berlin and local time', async () => {
    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    await page.getByText('No schedules yet.').waitFor();
    await page.getByRole('link', { name: 'New schedule' }).click();
    await page.getByRole('heading', { name: 'New schedule' }).waitFor();

    // A rule error is shown at the field, as the preview endpoint reports it.
    const rule = page.getByLabel('Rule (RRULE)');
    await rule.fill('FREQ=SOMETIMES');
    await page.locator('#rrule-error').waitFor();
    expect(await rule.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#rrule-error').textContent()).toMatch(/FREQ/);

    // First occurrence 25 s from now (Berlin wall time), then every minute, three in all.
    const first = berlin(new Date(Date.now() + 25_000));
    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await rule.fill(`DTSTART;TZID=Europe/Berlin:${first.rule}\nRRULE:FREQ=MINUTELY;COUNT=3`);
    await page.getByLabel('Callback URL').fill(`${stack.receiver.url}/hooks/report`);
    // One attempt in all: a failure is final at once, so the test can redeliver it by hand.
    await page.getByLabel('Attempts in all').fill('1');
    const preview = page.locator('#preview-table');
    await preview.getByRole('columnheader', { name: 'In Europe/Berlin' }).waitFor();
    expect(await rule.getAttribute('aria-invalid')).toBeNull();
    expect(await preview.locator('tbody tr').count()).toBe(3);
    expect(await preview.locator('tbody tr').first().textContent()).toContain(first.shown);
    await expectAccessible();
    await screenshot(page, 'schedule-new');

    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    scheduleUrl = page.url();
    expect(await page.locator('.page-head .badge').textContent()).toBe('active');
    expect(await page.locator('pre.rule').textContent()).toContain('TZID=Europe/Berlin');
  });

  it('shows the first delivery in the history, with its attempt', async () => {
    const [request] = await stack.receiver.waitFor(1, 60_000);
    expect(request?.path).toBe('/hooks/report');
    const delivered = page.locator('.history-entry').filter({ hasText: 'succeeded' });
    await delivered.first().waitFor({ timeout: 20_000 });
    await delivered.first().locator('summary').click();
    const attempt = delivered.first().locator('table.attempts tbody tr').first();
    expect(await attempt.textContent()).toMatch(/^1.*200.*ok$/);
    await expectAccessible();
    await screenshot(page, 'schedule');
  });

  it('pauses the schedule, refuses to trigger it while paused, and triggers it once resumed', async () => {
    await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await page.locator('.page-head .badge').textContent()).toBe('paused');

    await page.getByRole('button', { name: 'Trigger now' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/paused.*\(conflict\)/);

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    // The receiver fails this one: the manual occurrence ends failed after its single attempt.
    stack.receiver.respond = () => ({ status: 500, body: 'boom' });
    const before = stack.receiver.requests.length;
    await page.getByRole('button', { name: 'Trigger now' }).click();
    await stack.receiver.waitFor(before + 1, 30_000);
    const failed = page.locator('.history-entry').filter({ hasText: 'manual' }).filter({ hasText: 'failed' });
    await failed.waitFor();
    await failed.locator('summary').click();
    expect(await failed.locator('table.attempts tbody tr').first().textContent()).toMatch(/500.*boom$/);
  });

  it('redelivers a failed event from the history', async () => {
    stack.receiver.respond = () => ({ status: 200, body: 'ok' });
    const before = stack.receiver.requests.length;
    const failed = page.locator('.history-entry').filter({ hasText: 'manual' }).filter({ hasText: 'failed' });
    await failed.getByRole('button', { name: 'Retry' }).click();
    await stack.receiver.waitFor(before + 1, 30_000);
    const redelivered = page.locator('.history-entry').filter({ hasText: 'manual' }).filter({ hasText: 'succeeded' });
    await redelivered.waitFor();
    expect(await redelivered.locator('summary').textContent()).toContain('2 attempts');
    await expectAccessible();
  });

  it('draws the last hour’s deliveries and their lateness on the overview', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const succeeded = Number(await page.locator('.tile-succeeded dd').textContent());
    expect(succeeded).toBeGreaterThanOrEqual(2);
    expect(Number(await page.locator('.tile-cancelled dd').textContent())).toBeGreaterThanOrEqual(1);
    expect(
      await page
        .getByRole('img', { name: /Deliveries per minute/ })
        .locator('rect')
        .count(),
    ).toBeGreaterThan(0);
    expect(
      await page
        .getByRole('img', { name: /Lateness of deliveries/ })
        .locator('rect')
        .count(),
    ).toBeGreaterThan(0);
    await expectAccessible();
    await screenshot(page, 'overview');
  });

  it('shows the signing secret masked, verifies a callback with it, and rotates it after a confirmation', async () => {
    await page.getByRole('link', { name: 'Signed callbacks' }).click();
    await page.getByRole('heading', { name: 'Signed callbacks', level: 1 }).waitFor();
    const secret = page.locator('#signing-secret');
    expect(await secret.textContent()).toMatch(/^whsec_•+.{4}$/);
    await page.getByRole('button', { name: 'Show' }).click();
    const shown = String(await secret.textContent());
    expect(shown).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    // The secret the page shows is the one the callbacks were signed with.
    const request = stack.receiver.requests[0];
    expect(() =>
      new Webhook(shown).verify(request?.body ?? '', request?.headers as Record<string, string>),
    ).not.toThrow();
    await page.getByRole('button', { name: 'Hide' }).click();
    await expectAccessible();
    await screenshot(page, 'signing');

    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    await page.getByText('The previous secret also signs callbacks until').waitFor();
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await secret.textContent()).not.toBe(shown);
  });

  it('works at phone width (390 px): no sideways scrolling, schedules as cards, keyboard sign-in', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    const phoneErrors = watchErrors(small);
    await small.goto(`${stack.apiUrl}/ui/#/schedules`);
    await small.getByLabel('API key').waitFor();
    // Keyboard only: Tab to the field, type, Enter.
    await small.keyboard.press('Tab');
    await small.keyboard.type(key);
    await small.keyboard.press('Enter');
    await small.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    const row = small.getByRole('row').filter({ hasText: NAME });
    await row.waitFor();
    expect(await horizontalOverflow(small)).toBe(0);
    await expectAccessible(small);
    await screenshot(small, 'phone-schedules');

    await row.getByRole('link', { name: NAME }).click();
    await small.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    await small.locator('.history-entry').first().waitFor();
    expect(await horizontalOverflow(small)).toBe(0);
    await expectAccessible(small);

    await small.goto(`${stack.apiUrl}/ui/#/schedules/new`);
    await small.getByLabel('Rule (RRULE)').fill('DTSTART;TZID=America/New_York:20270314T023000\nRRULE:FREQ=DAILY');
    await small.locator('#preview-table tbody tr').first().waitFor();
    expect(await horizontalOverflow(small)).toBe(0);
    await screenshot(small, 'phone-schedule-new');
    expect(phoneErrors).toEqual([]);
    await phone.close();
  });

  it('deletes the schedule after a confirmation that Escape cancels', async () => {
    await page.goto(scheduleUrl);
    await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this schedule?' });
    await dialog.waitFor();
    // The safe choice has the focus; Escape closes without deleting.
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete schedule' }).click();
    await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    await page.getByText('No schedules yet.').waitFor();
    await screenshot(page, 'schedules-empty');
  });

  it('raised no script error and no Content-Security-Policy violation on any page', () => {
    expect(errors).toEqual([]);
  });
});
