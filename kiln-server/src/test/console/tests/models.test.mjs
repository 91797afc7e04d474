// The model pages: the list with serving states, a registry model's versions and aliases (move an alias with a
// confirmation, by keyboard, and see the audit entry), the version page, the overview, load and unload.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {openBrowser, newPage, open, signIn, api, checkPage, unique} from '../lib.mjs';
import {pushVersion} from '../models-fixtures.mjs';

const row = (page, name) => page.locator('main table tbody tr').filter({has: page.getByRole('link', {name, exact: true})});

test('the models list shows each model with its state, kind and aliases; the filter narrows it', async () => {
  const name = unique('list');
  await pushVersion(name);
  assert.equal((await api('PUT', `/api/v1/models/${name}/aliases/stable`, {version: 1})).status, 200);
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/models');
    await page.locator('main table tbody tr').first().waitFor();
    await checkPage(page, 'models');
    // One name at a time, so the test holds on a server with more models than a page.
    const filter = async (q) => {
      await page.getByLabel('Filter by name').fill(q);
      await page.getByLabel('Filter by name').press('Enter');
      await page.waitForFunction((n) => {
        const rows = [...document.querySelectorAll('main table tbody tr')];
        return rows.length && rows.every((r) => r.textContent.includes(n));
      }, q);
    };
    await filter('add_sub');
    assert.match(await row(page, 'add_sub').textContent(), /tensor.*ready.*model folder/);
    await filter('tiny-chat');
    assert.match(await row(page, 'tiny-chat').textContent(), /language.*ready/);
    await filter(name);
    assert.equal(await page.locator('main table tbody tr').count(), 1);
    assert.match(await row(page, name).textContent(), /tensor.*ready.*1.*stable → v1.*registry/);
  } finally {
    await browser.close();
  }
});

test('move an alias with a confirmation, by keyboard, and see the audit entry', async () => {
  const name = unique('alias');
  assert.equal(await pushVersion(name), 1);
  assert.equal((await api('PUT', `/api/v1/models/${name}/aliases/production`, {version: 1})).status, 200);
  assert.equal(await pushVersion(name), 2);
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/models/' + name);
    const versions = page.locator('main table').first();
    await versions.getByRole('link', {name: 'v2'}).waitFor();
    assert.match(await versions.textContent(), /published/);
    await checkPage(page, 'model');

    await page.getByLabel('Move production to').selectOption('2');
    // Keyboard: focus the Move button and press Enter; the dialog names the old and new version.
    await page.getByRole('button', {name: 'Move', exact: true}).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), new RegExp(`production of ${name} from v1 to v2`));
    await checkPage(page, 'model-move-alias-confirm');
    await dialog.getByRole('button', {name: 'Move alias'}).click();
    await page.getByRole('status').getByText('production → v2').waitFor();
    const aliases = await api('GET', `/api/v1/models/${name}`);
    assert.equal(aliases.body.aliases.production, 2);
    // The model page's own audit section shows it too.
    await page.locator('main').getByText('-> 2').first().waitFor();

    await open(page, '#/audit');
    await page.getByLabel('Target starts with').fill(`model:${name}@`);
    await page.getByLabel('Action').fill('model.alias');
    await page.getByRole('button', {name: 'Filter'}).click();
    // The unfiltered log shows first; wait until every row is about this model.
    await page.waitForFunction((n) => {
      const rows = [...document.querySelectorAll('main table tbody tr')];
      return rows.length && rows.every((r) => r.textContent.includes(n));
    }, name);
    const entry = page.locator('main table tbody tr').filter({hasText: '-> 2'});
    assert.match(await entry.textContent(), new RegExp(`model\\.alias.*model:${name}@production.*ok`));
    assert.equal(await page.locator('main table tbody tr').count(), 2, 'the first alias and its move');
    await checkPage(page, 'audit');
  } finally {
    await browser.close();
  }
});

test('a version page shows the signature, checksum and a way to try it; the overview shows health', async () => {
  const name = unique('ver');
  await pushVersion(name);
  const record = (await api('GET', `/api/v1/models/${name}/versions/1`)).body;
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, `#/models/${name}/versions/1`);
    await page.getByRole('heading', {name: 'Signature'}).waitFor();
    const sig = page.locator('main table').first();
    await sig.getByText('sum', {exact: true}).waitFor();
    assert.match(await sig.textContent(), /ainput.*FP32.*\[\?, 4\]/);
    assert.match(await page.locator('main').textContent(), new RegExp(record.sha256));
    assert.equal(await page.getByRole('link', {name: 'Try it'}).getAttribute('href'), '#/playground/' + name);
    await checkPage(page, 'version');

    await open(page, '#/');
    await page.getByText('models serving').waitFor();
    assert.match(await page.locator('.cards').textContent(), /ready/);
    await page.getByRole('heading', {name: 'Running and queued jobs'}).waitFor();
    await checkPage(page, 'overview');
  } finally {
    await browser.close();
  }
});

test('add and remove an alias, archive and unarchive, each from the model page', async () => {
  const name = unique('arch');
  await pushVersion(name);
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/models/' + name);
    await page.getByLabel('New alias').fill('staging');
    await page.getByRole('button', {name: 'Add alias'}).click();
    await page.getByRole('cell', {name: name + '@staging', exact: true}).waitFor();
    assert.deepEqual((await api('GET', '/api/v1/models/' + name)).body.aliases, {staging: 1});
    await page.getByRole('button', {name: 'Remove alias staging'}).click();
    await page.getByRole('dialog').getByRole('button', {name: 'Remove'}).click();
    await page.getByText('No aliases.').waitFor();
    assert.deepEqual((await api('GET', '/api/v1/models/' + name)).body.aliases, {});

    await page.getByRole('button', {name: 'Archive', exact: true}).click();
    await page.getByRole('dialog').getByText(/stops serving/).waitFor();
    await page.getByRole('dialog').getByRole('button', {name: 'Archive', exact: true}).click();
    await page.getByRole('button', {name: 'Unarchive'}).waitFor();
    assert.equal((await api('GET', '/api/v1/models/' + name)).body.archived, true);
    assert.match(await page.locator('main > p').first().textContent(), /archived/);
    await checkPage(page, 'model-archived');
    await page.getByRole('button', {name: 'Unarchive'}).click();
    await page.getByRole('dialog').getByRole('button', {name: 'Unarchive'}).click();
    await page.getByRole('button', {name: 'Archive', exact: true}).waitFor();
    assert.equal((await api('GET', '/api/v1/models/' + name)).body.archived, false);
  } finally {
    await browser.close();
  }
});

test('unload asks first, then the model is unloaded; load brings it back', async () => {
  const name = unique('load');
  await pushVersion(name);
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/models?q=' + name);
    await row(page, name).getByText('ready').waitFor();
    await page.getByRole('button', {name: 'Unload ' + name}).click();
    await page.getByRole('dialog').getByText(`Unload ${name}?`).waitFor();
    await page.getByRole('dialog').getByRole('button', {name: 'Unload'}).click();
    await row(page, name).getByText('unloaded').waitFor();
    const index = (await api('POST', '/v2/repository/index', {})).body;
    assert.deepEqual(index.filter((e) => e.name === name).map((e) => e.state), ['UNAVAILABLE']);
    await checkPage(page, 'models-unloaded');

    await page.getByRole('button', {name: 'Load ' + name}).click();
    await row(page, name).getByText('ready').waitFor();
    const after = (await api('POST', '/v2/repository/index', {})).body;
    assert.deepEqual(after.filter((e) => e.name === name).map((e) => e.state), ['READY']);
  } finally {
    await browser.close();
  }
});

test('a trained version shows its lineage (dataset and checksum, job, export checksum) and the job\'s metrics', async () => {
  const dataset = unique('lin');
  const name = unique('trained');
  const rows = ['x1,x2,label'];
  for (let i = 0; i < 60; i++) rows.push(`${(i % 10) / 10},${((i * 7) % 10) / 10},${(i % 10) + ((i * 7) % 10) > 9 ? 'yes' : 'no'}`);
  const ds = await api('POST', `/api/v1/datasets/${dataset}?label=label`, rows.join('\n') + '\n');
  assert.equal(ds.status, 201, JSON.stringify(ds.body));
  const job = await api('POST', '/api/v1/jobs', {dataset, model: {type: 'logistic_regression'}});
  assert.equal(job.status, 202, JSON.stringify(job.body));
  let state;
  for (let i = 0; i < 120 && !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state); i++) {
    await new Promise((r) => setTimeout(r, 500));
    state = (await api('GET', '/api/v1/jobs/' + job.body.id)).body.state;
  }
  assert.equal(state, 'SUCCEEDED');
  assert.equal((await api('POST', `/api/v1/jobs/${job.body.id}/deploy`, {name})).status, 201);
  const version = (await api('GET', `/api/v1/models/${name}/versions/1`)).body;
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, `#/models/${name}/versions/1`);
    const chain = page.getByRole('list', {name: 'Lineage, from data to this version'});
    await chain.waitFor();
    assert.equal(await chain.getByRole('link', {name: dataset + '@1'}).getAttribute('href'), '#/datasets/' + dataset);
    assert.equal(await chain.getByRole('link', {name: 'job ' + job.body.id}).getAttribute('href'), '#/jobs/' + job.body.id);
    assert.equal(await chain.locator('code').first().getAttribute('title'), ds.body.sha256);
    assert.match(await chain.textContent(), /checksum matches the export/);
    assert.equal(await chain.locator('code').last().getAttribute('title'), version.sha256);
    const accuracy = page.locator('main table tbody tr').filter({hasText: /^accuracy/});
    assert.match(await accuracy.textContent(), /0\.\d+|1/);
    await checkPage(page, 'version-trained');
    await open(page, '#/models/' + name);
    await page.locator('main table').first().getByRole('link', {name: 'job ' + job.body.id}).waitFor();
  } finally {
    await browser.close();
  }
});

test('the overview draws recent traffic where the server reports it', async (t) => {
  if ((await api('GET', '/api/v1/metrics/recent')).status === 404) return t.skip('no GET /api/v1/metrics/recent on this server');
  const body = {inputs: ['a', 'b'].map((name) => ({name, datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4]}))};
  let recent;
  for (let i = 0; i < 40; i++) { // a point every 10 s: call until one holds requests
    assert.equal((await api('POST', '/v2/models/add_sub/infer', body)).status, 200);
    recent = (await api('GET', '/api/v1/metrics/recent')).body;
    if ((recent.models?.add_sub ?? []).some((p) => p.requests > 0)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/');
    const traffic = page.getByRole('region', {name: 'Traffic, last 15 minutes'});
    await traffic.getByRole('img', {name: /Requests per second/}).locator('canvas').waitFor();
    await traffic.getByRole('img', {name: /Latency/}).locator('canvas').waitFor();
    assert.match(await traffic.locator('p.summary').textContent(), /peak [\d.]+ requests\/s, worst p95 [\d.]+ ms/);
    assert.match(await traffic.locator('table.grid').textContent(), /add_sub/);
    await checkPage(page, 'overview-traffic');
  } finally {
    await browser.close();
  }
});
