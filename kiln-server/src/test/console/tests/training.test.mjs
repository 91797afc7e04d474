// Training in the console: upload a CSV through the datasets page and see its preview; the new-job form shows the
// server's validation error inline and starts a job by keyboard; the job page's loss curve gains points while the
// job trains; a second job compared with the first (overlaid curves, differing rows highlighted); deploy.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {openBrowser, newPage, open, signIn, api, checkPage, unique} from '../lib.mjs';

const DATASET = unique('ds');
const MODEL = unique('trained');
// Long enough to watch while it trains (5 s on an idle machine, about 35 s on two busy cores: the engine reports a
// step at least once an epoch), short enough for the whole file to stay under 2 min.
const EPOCHS = Number(process.env.KILN_TRAINING_EPOCHS ?? 150);
const SPEC = `type: sequential
layers:
  - {type: dense, units: 32, activation: relu}
  - {type: dense, units: 2, activation: softmax}
optimizer: {name: adam, learning_rate: 0.01}
loss: sparse_categorical_crossentropy
training: {epochs: ${EPOCHS}, batch_size: 16, validation_split: 0.2}
`;

/** Two noisy, overlapping classes (so the curves move for a while), from a seeded generator. */
function csv(rows) {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const lines = ['x1,x2,x3,label'];
  for (let i = 0; i < rows; i++) {
    const y = rnd() < 0.5;
    lines.push([(y ? 1 : -1) + 1.3 * gauss(), (y ? 0.5 : -0.5) + 1.5 * gauss(), gauss()].map((v) => v.toFixed(3))
      .join(',') + ',' + (y ? 'yes' : 'no'));
  }
  return lines.join('\n') + '\n';
}

let browser;
let page;
const jobs = [];

before(async () => {
  browser = await openBrowser();
  page = await newPage(browser);
  await signIn(page);
});
after(async () => browser?.close());

test('a CSV uploaded through the datasets page shows its preview, columns and class balance', async () => {
  await open(page, '#/datasets');
  await checkPage(page, 'datasets');
  await page.getByLabel('Dataset name').fill(DATASET);
  await page.getByLabel('File').setInputFiles({name: 'train.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(3000))});
  // A label column the file lacks: the server's refusal shows on the form.
  await page.getByLabel('Label column').fill('no_such_column');
  await page.getByRole('button', {name: 'Upload'}).click();
  await page.locator('form[aria-label="Upload a dataset"] [role="alert"]').waitFor();
  assert.match(await page.locator('form[aria-label="Upload a dataset"] [role="alert"]').textContent(), /no_such_column/);
  await page.getByLabel('Label column').fill('label');
  await page.getByRole('button', {name: 'Upload'}).click();
  await page.waitForURL(new RegExp('#/datasets/' + DATASET));
  const preview = page.locator('table.preview');
  await preview.waitFor();
  assert.deepEqual(await preview.locator('thead th').allTextContents(), ['x1', 'x2', 'x3', 'label']);
  assert.equal(await preview.locator('tbody tr').count(), 20);
  assert.match(await page.locator('table.balance').textContent(), /no.*yes/s);
  assert.match(await page.locator('main').textContent(), /3,000/);
  assert.match(await page.locator('code.checksum').textContent(), /^[0-9a-f]{64}$/);
  await checkPage(page, 'dataset');
  await page.getByRole('link', {name: 'Train on this'}).click();
  await page.waitForURL(/#\/jobs\/new\?dataset=/);
});

test('the new-job form shows the server\'s validation inline and starts a job by keyboard', async () => {
  await open(page, '#/jobs/new?dataset=' + DATASET);
  await page.getByLabel('Dataset').locator('option', {hasText: DATASET}).waitFor({state: 'attached'});
  assert.equal(await page.getByLabel('Dataset').inputValue(), DATASET);
  await page.getByLabel('Version').locator('option', {hasText: 'newest (v1)'}).waitFor({state: 'attached'});
  assert.match(await page.getByLabel('Spec (YAML or JSON)').inputValue(), /type: logistic_regression/, 'a classifier preset');
  await checkPage(page, 'job-new');

  // Keyboard only: focus the spec, replace it, then Tab to "Start training" and press Enter.
  const spec = page.getByLabel('Spec (YAML or JSON)');
  await spec.focus();
  await page.keyboard.press('Control+A');
  const newest = async () => (await api('GET', '/api/v1/jobs?limit=1')).body[0]?.id ?? 0;
  const before = await newest();
  await page.keyboard.type('type: sequential\nlayers:\n  - {type: dense, units: -3}\n');
  const problem = page.locator('.spec-error');
  // A server with a dry run checks while the user types; without one, the submission's 400 shows in the same place.
  const live = await page.getByText('The server checks the spec as you edit').isVisible();
  if (!live) await startByKeyboard();
  await problem.waitFor();
  assert.match(await problem.textContent(), /units|layer/i);
  if (live) assert.match(await problem.textContent(), /model\.layers\[0\]\.units, line 3/, 'the path and its line');
  assert.equal(await newest(), before, 'no job was started');
  assert.equal(await spec.getAttribute('aria-invalid'), 'true');
  assert.match(page.url(), /#\/jobs\/new/); // nothing was started
  page.problems.length = 0; // the refused submission's 400 is logged by the browser, as expected
  await checkPage(page, 'job-new-invalid');

  await spec.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await spec.fill(SPEC.replace(`epochs: ${EPOCHS}`, 'epochs: 5')); // typing it key by key adds nothing but time
  await spec.focus();
  await tabTo('Epochs'); // the form's own field overrides the spec's epochs
  await page.keyboard.type(String(EPOCHS));
  await startByKeyboard();
  await page.waitForURL(/#\/jobs\/\d+$/);
  jobs.push(Number(/#\/jobs\/(\d+)$/.exec(page.url())[1]));
});

/** Tabs from wherever the focus is to the named control (at most 20 steps), as a keyboard user would. */
async function tabTo(name) {
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent
      ?? document.activeElement?.textContent);
    if (at?.trim() === name) return;
  }
  assert.fail('Tab never reached ' + name);
}

async function startByKeyboard() {
  await tabTo('Start training');
  await page.keyboard.press('Enter');
}

test('the job page\'s loss curve gains points while the job trains, then shows its evaluation', async () => {
  const steps = page.locator('figure[data-chart="steps"]');
  const read = () => page.evaluate(() => ({
    points: Number(document.querySelector('figure[data-chart="steps"]').dataset.points),
    state: document.querySelector('main h1 .badge')?.textContent,
  }));
  await page.waitForFunction(() => Number(document.querySelector('figure[data-chart="steps"]')?.dataset.points) > 0,
    null, {timeout: 60_000});
  const first = await read();
  await page.waitForFunction((n) => Number(document.querySelector('figure[data-chart="steps"]').dataset.points) > n,
    first.points, {timeout: 30_000});
  const second = await read();
  assert.equal(first.state, 'running');
  assert.equal(second.state, 'running', 'the second reading is taken while the job still trains');
  assert.ok(second.points > first.points, `${first.points} then ${second.points} points`);
  assert.ok(await steps.locator('canvas').count() > 0, 'the curve is drawn');
  await checkPage(page, 'job-running');

  await page.getByRole('heading', {name: 'Test metrics'}).waitFor({timeout: 120_000});
  assert.equal(await page.locator('main h1 .badge').textContent(), 'succeeded');
  const epochs = Number(await page.locator('figure[data-chart="loss"]').getAttribute('data-points'));
  assert.ok(epochs >= 2 * EPOCHS - 2, `loss and val_loss per epoch: ${epochs} points`);
  assert.equal(await page.locator('table.confusion tbody tr').count(), 2);
  assert.match(await page.locator('table.confusion caption').textContent(), /actual/);
  assert.ok(await page.locator('table.confusion td[class*="heat-"]').count() === 4);
  assert.match(await page.locator('table.per-class').textContent(), /yes/);
  assert.match(await page.locator('[data-metric="accuracy"]').textContent(), /0\.\d/);
  assert.ok(await page.getByRole('region', {name: 'ROC curve'}).isVisible());
  // Permutation importance: every raw feature column ranked, as text beside its bar.
  const importance = page.getByRole('region', {name: 'Column importance'});
  assert.ok(await importance.isVisible());
  assert.equal(await importance.locator('tbody tr').count(), 3);
  if ((await api('GET', '/api/v1/jobs/' + jobs[0])).body.evaluation.roc) { // a server that sends the curve's points
    await page.locator('.roc canvas').first().waitFor(); // the ROC curve is drawn
    assert.match(await page.locator('.roc figure').getAttribute('aria-label'), /ROC curve \(AUC 0\.\d+\)/);
  }
  await checkPage(page, 'job-done');
});

test('two jobs compared: overlaid curves and the settings that differ highlighted', async () => {
  const res = await api('POST', '/api/v1/jobs', {dataset: DATASET, model: SPEC.replace('0.01', '0.05'),
    training: {epochs: 15}});
  assert.equal(res.status, 202, JSON.stringify(res.body));
  jobs.push(res.body.id);
  for (let i = 0; i < 240; i++) {
    const j = await api('GET', '/api/v1/jobs/' + res.body.id);
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.body.state)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await open(page, '#/jobs');
  for (const id of jobs) await page.getByLabel('Pick job ' + id + ' to compare').check();
  await checkPage(page, 'jobs');
  await page.getByRole('button', {name: 'Compare'}).click();
  await page.waitForURL(/#\/jobs\/compare\?ids=/);
  const loss = page.locator('figure.overlay[data-chart="loss"]');
  await loss.locator('canvas').waitFor();
  assert.ok(Number(await loss.getAttribute('data-points')) >= 2 * (EPOCHS + 15) - 4);
  assert.match(await loss.textContent(), new RegExp(`#${jobs[0]} loss.*#${jobs[1]} loss`, 's'));
  const lr = page.locator('table.settings-table tr.diff', {hasText: 'learning_rate'});
  assert.equal(await lr.count(), 1, 'the learning rate differs');
  assert.ok(await page.locator('table.metrics-table tr.diff').count() >= 1);
  assert.ok(await page.locator('table.metrics-table td.best').count() >= 1, 'the best value is marked');
  await checkPage(page, 'compare');
});

test('a running job is cancelled from its page after a confirmation', async () => {
  const res = await api('POST', '/api/v1/jobs', {dataset: DATASET, model: SPEC, training: {epochs: 500}});
  assert.equal(res.status, 202, JSON.stringify(res.body));
  await open(page, '#/jobs/' + res.body.id);
  await page.getByRole('button', {name: 'Cancel'}).click();
  await page.getByRole('dialog').getByRole('button', {name: 'Cancel job'}).click();
  await page.locator('main h1 .badge', {hasText: 'cancelled'}).waitFor({timeout: 60_000});
  assert.equal((await api('GET', '/api/v1/jobs/' + res.body.id)).body.state, 'CANCELLED');
  await checkPage(page, 'job-cancelled');

  // The jobs list filtered by state and dataset shows this job and no other state.
  await open(page, '#/jobs');
  await page.getByLabel('State').selectOption('cancelled');
  await page.getByLabel('Dataset').fill(DATASET);
  await page.getByRole('button', {name: 'Filter'}).click();
  await page.waitForURL(/state=cancelled/);
  await page.waitForFunction(() => {
    const states = [...document.querySelectorAll('table.jobs tbody .badge')].map((b) => b.textContent);
    return states.length > 0 && states.every((s) => s === 'cancelled');
  });
  await page.getByRole('link', {name: '#' + res.body.id, exact: true}).waitFor();
  assert.ok(!(await page.getByRole('link', {name: '#' + jobs[0], exact: true}).count()), 'a succeeded job is left out');
});

test('a succeeded job deploys from its page, with links to the model and the playground', async () => {
  await open(page, '#/jobs/' + jobs[0]);
  await page.getByLabel('Model name').fill(MODEL);
  await page.getByRole('button', {name: 'Deploy'}).click();
  const link = page.getByRole('link', {name: 'model page'}).last();
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), '#/models/' + MODEL);
  assert.equal(await page.getByRole('link', {name: 'try it in the playground'}).last().getAttribute('href'), '#/playground/' + MODEL);
  const models = await api('GET', '/api/v1/models');
  assert.match(JSON.stringify(models.body), new RegExp(MODEL));
  await checkPage(page, 'job-deployed');

  // The version keeps the job's column importance: its page ranks the same three columns, in the job's order.
  const record = await api('GET', '/api/v1/models/' + MODEL + '/versions/1');
  const stored = JSON.parse(record.body.metadata).evaluation.permutation_importance.columns.map((c) => c.name);
  await open(page, '#/models/' + MODEL + '/versions/1');
  const importance = page.getByRole('region', {name: 'Column importance'});
  await importance.waitFor();
  assert.deepEqual(await importance.locator('tbody th').allTextContents(), stored);
  assert.doesNotMatch(await page.locator('main').textContent(), /permutation importance baseline/);
  await checkPage(page, 'version-importance');
});
