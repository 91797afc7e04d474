// The model pages against hostile data and narrow keys: a model card full of script payloads is shown as text and
// runs nothing; a key scoped to one model sees nothing of another; the console's pages carry a CSP.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {openBrowser, newPage, open, signIn, api, checkPage, unique} from '../lib.mjs';
import {pushVersion} from '../models-fixtures.mjs';

const PAYLOAD = [
  '# Danger <script>window.__pwned=1</script>',
  '',
  'An image: <img src=x onerror="window.__pwned=1"> and more text.',
  '',
  '- [click me](javascript:window.__pwned=1)',
  '- [safe link](https://example.com/docs)',
  '- <svg onload="window.__pwned=1"></svg>',
  '',
  '```',
  '<iframe src="javascript:window.__pwned=1"></iframe>',
  '```',
].join('\n');

async function assertInert(page) {
  const main = page.locator('main');
  assert.equal(await main.locator('script, img, svg, iframe').count(), 0, 'no element made from the card');
  for (const href of await main.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    assert.doesNotMatch(href ?? '', /^\s*javascript:/i);
  }
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
}

test('a model card with script payloads, typed in the card editor, is shown as text and runs nothing', async () => {
  const name = unique('xss');
  await pushVersion(name);
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/models/' + name);
    await page.getByRole('button', {name: 'Edit card'}).click();
    await page.getByLabel('Model card (Markdown)').fill(PAYLOAD);
    await page.getByRole('button', {name: 'Save card'}).click();
    await page.getByRole('status').getByText('model card saved').waitFor();
    assert.equal((await api('GET', '/api/v1/models/' + name)).body.card, PAYLOAD);
    await page.locator('.model-card').waitFor();
    await page.waitForTimeout(300); // an onerror or onload would have fired by now
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no payload ran');

    const card = page.locator('.model-card');
    await card.getByRole('heading', {name: 'Danger <script>window.__pwned=1</script>'}).waitFor();
    assert.match(await card.textContent(), /<img src=x onerror="window.__pwned=1">/);
    assert.match(await card.locator('pre').textContent(), /<iframe src="javascript:/);
    assert.equal(await card.getByRole('link', {name: 'safe link'}).getAttribute('href'), 'https://example.com/docs');
    assert.equal(await card.getByRole('link', {name: 'click me'}).count(), 0, 'a javascript: link is no link');
    await card.getByText('click me (link removed)').click();
    await page.waitForTimeout(300);
    await assertInert(page);
    assert.match(page.url(), new RegExp('#/models/' + name + '$'), 'the click went nowhere');
    await checkPage(page, 'model-card-payloads');

    await open(page, `#/models/${name}/versions/1`);
    await page.locator('.model-card').getByText('click me (link removed)').waitFor();
    await assertInert(page);
  } finally {
    await browser.close();
  }
});

test('a key scoped to model A sees A and nothing of model B', async (t) => {
  const a = unique('scope-a');
  const b = unique('scope-b');
  await pushVersion(a);
  await pushVersion(b);
  const key = await api('POST', '/api/v1/keys', {name: unique('console-a'), scopes: [`invoke:${a}`, `manage:${a}`]});
  assert.equal(key.status, 201, JSON.stringify(key.body));
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await open(page, '#/signin');
    if (await page.getByText('auth off').isVisible()) return t.skip('auth is off: every caller sees everything');
    await signIn(page, key.body.token);
    await open(page, '#/models');
    await page.getByRole('link', {name: a, exact: true}).waitFor();
    assert.doesNotMatch(await page.locator('main').textContent(), new RegExp(b));
    assert.doesNotMatch(await page.locator('main').textContent(), /add_sub|tiny-chat/);
    assert.equal(await page.getByRole('navigation', {name: 'Sections'}).getByRole('link', {name: 'Audit'}).count(), 0);
    await checkPage(page, 'models-scoped-key');

    await open(page, '#/models/' + b);
    await page.getByRole('alert').waitFor();
    assert.doesNotMatch(await page.locator('main').textContent(), /published|v1|Versions/);
    page.problems.length = 0; // the refused reads of B are logged by the browser, as expected
    await checkPage(page, 'model-of-another-key');

    await open(page, '#/models/' + a);
    await page.locator('main table').first().getByRole('link', {name: 'v1'}).waitFor();
    assert.match(await page.locator('main').textContent(), /The audit log needs an admin key/);
  } finally {
    await browser.close();
  }
});

test('the console answers with a strict Content-Security-Policy', async (t) => {
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    const res = await page.goto('/console/');
    const csp = res.headers()['content-security-policy'];
    // The CSP comes with sessions; a server from before them (no /api/v1/session) has neither.
    if (csp === undefined && (await api('GET', '/api/v1/session')).status === 404) return t.skip('no sessions and CSP on this server');
    assert.ok(csp, 'Content-Security-Policy on /console/');
    assert.match(csp, /script-src[^;]*'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  } finally {
    await browser.close();
  }
});
