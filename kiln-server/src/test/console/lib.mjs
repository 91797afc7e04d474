// Shared pieces of the console's browser tests: the browser, sign-in, API set-up calls, axe, screenshots.
import {chromium} from 'playwright-core';
import {readFileSync, mkdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import assert from 'node:assert/strict';

export const BASE = process.env.KILN_URL ?? 'http://127.0.0.1:8000';
export const ADMIN_KEY = process.env.KILN_ADMIN_KEY ?? '';
const SHOTS = process.env.KILN_SCREENSHOTS ?? 'screenshots';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A unique suffix for names, so scenarios sharing one server do not collide. */
export const unique = (prefix) => prefix + '-' + Date.now().toString(36) + Math.floor(Math.random() * 1e4);

export async function openBrowser() {
  return chromium.launch({executablePath: process.env.KILN_CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox']});
}

/**
 * A page in a fresh context; page.problems collects console errors, uncaught exceptions and failed responses the
 * page itself did not expect (CSP violations show up as console errors).
 */
export async function newPage(browser) {
  const context = await browser.newContext({baseURL: BASE, viewport: {width: 1280, height: 900}});
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => m.type() === 'error' && !/status of (4\d\d)/.test(m.text()) && page.problems.push(m.text()));
  page.on('pageerror', (e) => page.problems.push('uncaught: ' + e.message));
  page.setDefaultTimeout(20_000);
  return page;
}

/** Opens a console route (e.g. '#/models') and waits for its main heading. */
export async function open(page, hash = '#/') {
  // Going from one hash to another is a same-document navigation: the last page's heading is still there until the
  // router renders the new one, so wait for a heading that was not there before (the same hash again reloads).
  await page.evaluate(() => document.querySelectorAll('main h1').forEach((e) => e.setAttribute('data-stale', '')));
  const url = new URL('/console/' + hash, BASE).href;
  const res = page.url() === url ? await page.reload() : await page.goto(url);
  await page.locator('main h1:not([data-stale])').first().waitFor();
  return res;
}

/** Signs in through the sign-in page; against a server with auth off (a dev server) there is nothing to do. */
export async function signIn(page, key = ADMIN_KEY) {
  await open(page, '#/signin');
  if (await page.getByText('auth off').isVisible()) return;
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('button', {name: 'Sign out'}).waitFor();
}

/** Calls an API with a bearer key (set-up and checks outside the browser). */
export async function api(method, path, body, key = ADMIN_KEY) {
  const headers = {authorization: 'Bearer ' + key};
  let payload = body;
  if (body !== undefined && !(body instanceof Uint8Array) && typeof body !== 'string') {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(BASE + path, {method, headers, body: payload});
  const text = await res.text();
  let json = text;
  try { json = JSON.parse(text); } catch { /* text */ }
  return {status: res.status, headers: res.headers, body: json};
}

/** axe-core on the current page: no serious or critical violation (WCAG 2 A and AA rules). */
export async function assertAccessible(page, name) {
  // Evaluated over the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']}));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target).join(', ')}`),
    [], `${name}: accessibility violations`);
}

export async function screenshot(page, name) {
  mkdirSync(SHOTS, {recursive: true});
  await page.screenshot({path: `${SHOTS}/${name}.png`, fullPage: true});
}

/**
 * Every control on the page can be reached with Tab: walks the focus from the top of the document and checks it lands
 * on each visible link, button and field (a control only a mouse can reach fails the test).
 */
export async function assertKeyboardReachable(page, name) {
  const expected = await page.evaluate(() => {
    // With a modal dialog open, the page behind it is inert: only the dialog's controls take the focus.
    const root = document.querySelector('dialog:modal') ?? document;
    const all = [...root.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')];
    // checkVisibility: shown, and not inside a closed <details> (whose content a person cannot see either).
    const shown = all.filter((e) => !e.disabled && e.tabIndex >= 0 && !e.closest('[inert]') &&
      e.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true}));
    shown.forEach((e, i) => e.setAttribute('data-kb', String(i)));
    return shown.length;
  });
  const seen = new Set();
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  await page.locator('body').focus().catch(() => {});
  for (let i = 0; i < expected + 30 && seen.size < expected; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => document.activeElement?.getAttribute('data-kb'));
    if (at !== null && at !== undefined) seen.add(at);
  }
  const missed = await page.evaluate((seenList) => [...document.querySelectorAll('[data-kb]')]
    .filter((e) => !seenList.includes(e.getAttribute('data-kb')))
    .map((e) => e.outerHTML.slice(0, 120)), [...seen]);
  await page.evaluate(() => document.querySelectorAll('[data-kb]').forEach((e) => e.removeAttribute('data-kb')));
  assert.deepEqual(missed, [], `${name}: controls Tab never reaches`);
}

/**
 * Every page check in one: a screenshot (first, as a person sees the page, before the focus walk moves the focus),
 * accessible, reachable by keyboard, no console problems.
 */
export async function checkPage(page, name) {
  await screenshot(page, name);
  await assertAccessible(page, name);
  await assertKeyboardReachable(page, name);
  await page.evaluate(() => document.activeElement?.blur());
  assert.deepEqual(page.problems, [], `${name}: console errors`);
}
