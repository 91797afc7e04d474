// Batch scoring in the console: a job submitted from a dataset's page against a deployed model, watched live until it
// succeeds, its predictions downloaded (header plus one line per row); a second job cancelled from its page after a
// confirmation; a key that may call the model but not read the dataset sees the refusal said plainly.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {openBrowser, newPage, open, signIn, api, checkPage, unique} from '../lib.mjs';

const DATASET = unique('score-ds');
const BIG = unique('score-big');
const MODEL = unique('scorer');
const ROWS = 3000;
const BIG_ROWS = 200_000;

function csv(rows) {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['x1,x2,x3,label'];
  for (let i = 0; i < rows; i++) {
    const y = rnd() < 0.5;
    lines.push([(y ? 1 : -1) + rnd() * 2 - 1, rnd(), rnd()].map((v) => v.toFixed(3)).join(',') + ',' + (y ? 'yes' : 'no'));
  }
  return lines.join('\n') + '\n';
}

async function until(what, fn, ms = 120_000) {
  for (const end = Date.now() + ms; Date.now() < end;) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.fail('timed out waiting for ' + what);
}

let browser;
let page;

before(async () => {
  browser = await openBrowser();
  page = await newPage(browser);
  await signIn(page);
  for (const [name, rows] of [[DATASET, ROWS], [BIG, BIG_ROWS]]) {
    const up = await api('POST', '/api/v1/datasets/' + name + '?label=label', csv(rows));
    assert.equal(up.status, 201, JSON.stringify(up.body));
  }
  const job = await api('POST', '/api/v1/jobs', {dataset: DATASET, model: 'type: logistic_regression\n'});
  assert.equal(job.status, 202, JSON.stringify(job.body));
  await until('training', async () => ['SUCCEEDED', 'FAILED', 'CANCELLED']
    .includes((await api('GET', '/api/v1/jobs/' + job.body.id)).body.state));
  const dep = await api('POST', '/api/v1/jobs/' + job.body.id + '/deploy', {name: MODEL});
  assert.ok(dep.status < 300, JSON.stringify(dep.body));
  await until('the model to be served', async () => (await api('GET', '/v2/models/' + MODEL + '/ready')).status === 200);
});
after(async () => browser?.close());

test('a dataset scored from its page: live to SUCCEEDED, then the predictions download', async () => {
  await open(page, '#/datasets/' + DATASET);
  await page.getByRole('link', {name: 'Score it'}).click();
  await page.waitForURL(/#\/scoring\/new\?dataset=/);
  await page.getByLabel('Model').locator('option', {hasText: MODEL}).waitFor({state: 'attached'});
  await page.getByLabel('Model').selectOption(MODEL);
  assert.equal(await page.getByLabel('Dataset').inputValue(), DATASET);
  await page.getByLabel('Version').locator('option', {hasText: 'newest (v1)'}).waitFor({state: 'attached'});
  await page.getByLabel('Batch size').fill('64');
  await checkPage(page, 'scoring-new');
  await page.getByRole('button', {name: 'Start scoring'}).click();
  await page.waitForURL(/#\/scoring\/\d+$/);
  const done = Number(/#\/scoring\/(\d+)$/.exec(page.url())[1]);
  await page.locator('main h1 .badge', {hasText: 'succeeded'}).waitFor({timeout: 120_000});
  assert.match(await page.locator('.progress-text').textContent(), /3,000 of 3,000 rows/);
  assert.equal(await page.getByLabel('Scoring progress').evaluate((p) => p.value), 1);
  assert.match(await page.locator('main dl.facts').textContent(), new RegExp(`${MODEL}.*${DATASET} v1.*64`, 's'));
  await checkPage(page, 'scoring-job-done');

  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('link', {name: 'Download predictions (CSV)'}).click()]);
  assert.equal(download.suggestedFilename(), `scoring-${done}.csv`);
  const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\n');
  assert.match(lines[0], /^row,/, 'the header names the row index first');
  assert.equal(lines.length, ROWS + 1, 'a header and one line per row');
  assert.match(lines[1], /^0,/);

  await open(page, '#/scoring');
  const row = page.locator('table.scoring-jobs tr', {has: page.getByRole('link', {name: '#' + done, exact: true})});
  await row.waitFor();
  assert.match(await row.textContent(), /succeeded/);
  assert.match(await row.textContent(), new RegExp(MODEL));
  await checkPage(page, 'scoring-list');

  // A model version's page offers the same form with that version picked.
  await open(page, '#/models/' + MODEL + '/versions/1');
  await page.getByRole('heading', {name: MODEL + ' v1'}).waitFor(); // not the list's own "Score a dataset" link
  await page.getByRole('link', {name: 'Score a dataset'}).click();
  await page.waitForURL(/#\/scoring\/new\?model=/);
  await page.getByLabel('Model').locator('option', {hasText: MODEL + ':1'}).waitFor({state: 'attached'});
  assert.equal(await page.getByLabel('Model').inputValue(), MODEL + ':1');
});

test('a scoring job is cancelled from its page after a confirmation', async () => {
  // Batches of one row make the big job slow enough to catch; the small one behind it waits in the queue.
  const big = await api('POST', '/api/v1/scoring-jobs', {model: MODEL, dataset: BIG, batch_size: 1});
  assert.equal(big.status, 202, JSON.stringify(big.body));
  await open(page, '#/scoring/' + big.body.id);
  await page.locator('main h1 .badge', {hasText: 'running'}).waitFor({timeout: 60_000});
  assert.match(await page.locator('.live-state').textContent(), /Live/);
  // The event stream moves the numbers while the job runs (rows_done counts committed parts of 10,000 rows).
  await page.waitForFunction(() => /^[1-9][\d,]* of 200,000 rows · [\d,]+ rows\/s/
    .test(document.querySelector('.progress-text')?.textContent ?? ''), null, {timeout: 60_000});
  assert.equal(await page.locator('main h1 .badge').textContent(), 'running', 'still running when the rows moved');
  await checkPage(page, 'scoring-job-running');
  await page.getByRole('button', {name: 'Cancel'}).click();
  await page.getByRole('dialog').getByRole('button', {name: 'Cancel job'}).click();
  await page.locator('main h1 .badge', {hasText: 'cancelled'}).waitFor({timeout: 60_000});
  assert.equal((await api('GET', '/api/v1/scoring-jobs/' + big.body.id)).body.state, 'CANCELLED');
  assert.equal(await page.getByRole('link', {name: 'Download predictions (CSV)'}).count(), 0);
  await checkPage(page, 'scoring-job-cancelled');
});

test('a key that may call the model but not read the dataset is told so, plainly', async () => {
  const key = await api('POST', '/api/v1/keys', {name: unique('scoring-scoped'), scopes: ['invoke:' + MODEL]});
  assert.equal(key.status, 201, JSON.stringify(key.body));
  const other = await openBrowser();
  try {
    const p = await newPage(other);
    await signIn(p, key.body.token);
    await open(p, '#/scoring/new?dataset=' + DATASET + '&model=' + MODEL);
    await p.getByLabel('Model').locator('option', {hasText: MODEL}).waitFor({state: 'attached'});
    await p.getByRole('button', {name: 'Start scoring'}).click();
    const alert = p.locator('form [role="alert"]');
    await alert.waitFor();
    assert.match(await alert.textContent(), new RegExp(`Not found: dataset ${DATASET} does not exist, or this key may not read it`));
    assert.match(p.url(), /#\/scoring\/new/, 'no job was started');
    await checkPage(p, 'scoring-denied');
    // Another key's job is not shown either.
    const theirs = await api('POST', '/api/v1/scoring-jobs', {model: MODEL, dataset: DATASET});
    assert.equal(theirs.status, 202, JSON.stringify(theirs.body));
    await open(p, '#/scoring/' + theirs.body.id);
    // A hash change keeps the form's alert until the new page renders: wait for the job page's own heading.
    await p.getByRole('heading', {name: 'Scoring job #' + theirs.body.id}).waitFor();
    await p.locator('main [role="alert"]').waitFor();
    assert.match(await p.locator('main [role="alert"]').textContent(), new RegExp(`Not found: scoring job #${theirs.body.id} does not exist, or this key may not read it`));
    await checkPage(p, 'scoring-job-denied');
  } finally {
    await other.close();
  }
});
