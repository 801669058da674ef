/**
 * Debian's Chromium (/usr/bin/chromium) driven by playwright-core, and the checks the console's
 * pages share: no console errors (a Content-Security-Policy violation is one), axe-core's WCAG 2 A
 * and AA rules (labels, names, contrast), and screenshots for the docs when asked for.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '@event-scheduler/testing';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a headless run on a machine without a network beyond loopback: no GPU, no sandbox
 * (root in CI), and none of Chromium's own connections to Google's services. playwright-core adds
 * --headless and a fresh --user-data-dir of its own.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Collects what the page reports as errors: uncaught exceptions and console errors (CSP violations included). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // Chromium also logs every 4xx answer as an error; the tests provoke those on purpose (a wrong
    // key, a bad rule) and check what the page shows for them.
    const answered = message.text().startsWith('Failed to load resource: the server responded with a status of 4');
    if (message.type() === 'error' && !answered) errors.push(`console: ${message.text()}`);
  });
  return errors;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now. Playwright evaluates through
 * the DevTools protocol, which the page's Content-Security-Policy does not govern.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  )) as AxeViolation[];
  return violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** Saves a full-page screenshot under $CONSOLE_SCREENSHOTS (absolute, or relative to the repository), when set. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CONSOLE_SCREENSHOTS;
  if (!dir) return;
  const target = resolve(REPO_ROOT, dir);
  mkdirSync(target, { recursive: true });
  await page.screenshot({ path: join(target, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Horizontal scrolling of the whole page (0 when everything fits the viewport's width). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
}
