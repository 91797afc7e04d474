// A dataset whose column names, values and classes are script payloads: the dataset page (preview, column list,
// class balance) and a job trained on it (per-class table, confusion matrix) show them as text, and nothing runs:
// the flag the payloads would set stays unset and no element they describe appears in the page.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {openBrowser, newPage, open, signIn, api, checkPage, unique} from '../lib.mjs';

const SCRIPT = '<script>window.__pwned=1</script>';
const IMG = '<img src=x onerror="window.__pwned=1">';
const LINK = '<a href="javascript:window.__pwned=1">click</a>';
const quote = (s) => '"' + s.replaceAll('"', '""') + '"';

function csv() {
  const lines = [[SCRIPT, IMG, 'label'].map(quote).join(',')];
  const classes = [SCRIPT, IMG, LINK];
  for (let i = 0; i < 90; i++) {
    const c = i % 3;
    lines.push([(c * 2 + (i % 7) / 7).toFixed(3), quote([IMG, LINK, SCRIPT][(i + c) % 3]), quote(classes[c])].join(','));
  }
  return lines.join('\n') + '\n';
}

let browser;
let page;
const NAME = unique('xss');

before(async () => {
  browser = await openBrowser();
  page = await newPage(browser);
  await signIn(page);
  const up = await api('POST', '/api/v1/datasets/' + NAME + '?label=label', csv());
  assert.equal(up.status, 201, JSON.stringify(up.body));
});
after(async () => browser?.close());

async function assertInert(name) {
  assert.equal(await page.evaluate(() => window.__pwned), undefined, name + ': a payload ran');
  assert.equal(await page.locator('main img, main script, main b, main a[href^="javascript"]').count(), 0,
    name + ': a payload became an element');
}

test('column names, cells and classes that hold markup are shown as text on the dataset page', async () => {
  await open(page, '#/datasets/' + NAME);
  await page.locator('table.preview').waitFor();
  assert.deepEqual(await page.locator('table.preview thead th').allTextContents(), [SCRIPT, IMG, 'label']);
  const cells = await page.locator('table.preview tbody td').allTextContents();
  assert.ok(cells.includes(IMG) && cells.includes(SCRIPT) && cells.includes(LINK), 'payload cells shown as text');
  const columns = await page.locator('main table.grid').nth(1).textContent();
  assert.ok(columns.includes(SCRIPT) && columns.includes(IMG), 'the column list shows the names');
  const balance = await page.locator('table.balance').textContent();
  assert.ok(balance.includes(SCRIPT) && balance.includes(IMG) && balance.includes(LINK), 'class names shown as text');
  await page.locator('table.preview tbody td').first().hover();
  await assertInert('dataset');
  await checkPage(page, 'security-dataset');
  await open(page, '#/datasets');
  await page.getByRole('link', {name: NAME}).waitFor();
  await assertInert('datasets');
});

test('a job trained on it shows the class names as text in its per-class table and confusion matrix', async () => {
  const res = await api('POST', '/api/v1/jobs', {dataset: NAME, model: 'type: logistic_regression\n'});
  assert.equal(res.status, 202, JSON.stringify(res.body));
  await open(page, '#/jobs/' + res.body.id);
  await page.getByRole('heading', {name: 'Test metrics'}).waitFor({timeout: 90_000});
  const perClass = await page.locator('table.per-class').textContent();
  assert.ok(perClass.includes(SCRIPT) && perClass.includes(IMG) && perClass.includes(LINK), perClass);
  assert.ok((await page.locator('table.confusion thead').textContent()).includes(IMG));
  await assertInert('job');
  await checkPage(page, 'security-job');
  await open(page, '#/jobs/new?dataset=' + NAME);
  await page.getByLabel('Dataset').locator('option', {hasText: NAME}).waitFor({state: 'attached'});
  await assertInert('job-new');
});
