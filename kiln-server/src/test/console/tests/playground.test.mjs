import {test} from 'node:test';
import assert from 'node:assert/strict';
import {openBrowser, newPage, open, signIn, api, checkPage, unique, BASE, ADMIN_KEY} from '../lib.mjs';

/** Uploads a CSV dataset (the body as text/csv), as `kiln datasets add` does. */
async function uploadCsv(name, label, csv) {
  const res = await fetch(`${BASE}/api/v1/datasets/${name}?label=${label}`, {method: 'POST', body: csv,
    headers: {authorization: 'Bearer ' + ADMIN_KEY, 'content-type': 'text/csv'}});
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body;
}

/** A tiny tabular model: size is "big" exactly when x > 5; colour is noise; trained by exact logistic regression. */
async function trainTabular(name) {
  const rows = ['x,y,colour,size'];
  for (let i = 0; i < 60; i++) {
    const x = i % 12;
    rows.push(`${x},${(i * 7) % 10},${i % 3 ? 'red' : 'blue'},${x >= 6 ? 'big' : 'small'}`);
  }
  const dataset = await uploadCsv(name, 'size', rows.join('\n') + '\n');
  const job = await api('POST', '/api/v1/jobs', {dataset: name, dataset_version: dataset.version,
    model: {type: 'logistic_regression'}});
  assert.equal(job.status, 202, JSON.stringify(job.body));
  let state = job.body;
  for (const until = Date.now() + 120_000; ['QUEUED', 'RUNNING'].includes(state.state) && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 300));
    state = (await api('GET', '/api/v1/jobs/' + state.id)).body;
  }
  assert.equal(state.state, 'SUCCEEDED', JSON.stringify(state.error ?? state));
  const deployed = await api('POST', `/api/v1/jobs/${state.id}/deploy`, {name});
  assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
}

/** The text of a snippet tab (clicked first). */
async function snippet(page, tab) {
  await page.getByRole('tab', {name: tab}).click();
  return page.getByRole('tabpanel').locator('pre').textContent();
}

test('the playground lists callable models and runs add_sub from a form generated from its signature', async () => {
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/playground');
    const list = page.getByRole('table');
    await list.getByRole('link', {name: 'add_sub'}).waitFor();
    assert.ok(await list.getByRole('link', {name: 'tiny-chat'}).isVisible());
    assert.match(await list.locator('tr', {hasText: 'tiny-chat'}).textContent(), /language model/);
    await checkPage(page, 'playground-list');

    await list.getByRole('link', {name: 'add_sub'}).click();
    const a = page.getByLabel(/^a \(FP32/);
    await a.fill('[[1, 2, 3, 4]]');
    const b = page.getByLabel(/^b \(FP32/);
    await b.fill('[[10, 20, 30, 40]]');
    await b.press('Enter'); // the keyboard runs it
    const sum = page.locator('[data-output="sum"] pre');
    await sum.waitFor();
    assert.equal(await sum.textContent(), '[[11, 22, 33, 44]]');
    assert.equal(await page.locator('[data-output="diff"] pre').textContent(), '[[-9, -18, -27, -36]]');
    const curl = await snippet(page, 'curl');
    assert.ok(curl.includes(BASE + '/v2/models/add_sub/infer'), curl);
    assert.ok(curl.includes('[10,20,30,40]') && curl.includes('$KILN_API_KEY'), curl);
    assert.ok(!ADMIN_KEY || !curl.includes(ADMIN_KEY), 'the snippet never holds the secret');
    const python = await snippet(page, 'Python');
    assert.match(python, /requests\.post\(/);
    assert.ok(python.includes(`"${BASE}/v2/models/add_sub/infer"`), python);
    await checkPage(page, 'playground-add-sub');

    // A value of the wrong shape: the server's own message, in place.
    await a.fill('[[1, 2, 3]]');
    await page.getByRole('button', {name: 'Run'}).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await page.locator('.result').textContent(), /HTTP 400/);
    assert.match(await alert.textContent(), /shape|\[1, 3\]/i);
    await checkPage(page, 'playground-add-sub-refused');
  } finally {
    await browser.close();
  }
});

test('chat with tiny-chat streams tokens as they come; Stop aborts; snippets name the endpoint', async () => {
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/playground/tiny-chat');
    await page.getByLabel('Message', {exact: true}).waitFor();
    await page.getByLabel('Max tokens').fill('48');
    await page.getByLabel('Seed').fill('7');
    await page.getByLabel('System prompt').fill('You are terse.');
    // Every change of the answer's text, as the page makes it: more than one means tokens streamed in.
    await page.evaluate(() => {
      window.seen = [];
      new MutationObserver(() => {
        const last = [...document.querySelectorAll('.msg-assistant')].pop();
        if (last) window.seen.push(last.textContent.length);
      }).observe(document.querySelector('.chat'), {subtree: true, characterData: true, childList: true});
    });
    await page.getByLabel('Message', {exact: true}).fill('Tell me a story');
    await page.getByLabel('Message', {exact: true}).press('Enter');
    await page.locator('.chat-status', {hasText: 'Finished'}).waitFor();
    const seen = await page.evaluate(() => window.seen);
    const growing = [...new Set(seen.filter((n) => n > 0))];
    assert.ok(growing.length >= 2, 'the answer grew in steps: ' + JSON.stringify(seen));
    assert.deepEqual(growing, [...growing].sort((x, y) => x - y), 'text only grows');
    assert.match(await page.locator('.chat-status').textContent(), /Finished: (length|stop).*tokens: \d+ prompt \+ \d+ completion/);
    assert.ok((await page.locator('.msg-assistant').textContent()).length > 'tiny-chat: '.length);
    await checkPage(page, 'playground-chat');

    const sdk = await snippet(page, 'OpenAI SDK');
    assert.ok(sdk.includes(`base_url="${BASE}/v1"`), sdk);
    assert.match(sdk, /model="tiny-chat"/);
    assert.match(sdk, /Tell me a story/);
    const curl = await snippet(page, 'curl');
    assert.ok(curl.includes(BASE + '/v1/chat/completions') && curl.includes('"model":"tiny-chat"'), curl);
    assert.match(await snippet(page, 'Python'), /"temperature": 0\.7/);

    // Stop: a long answer (a fresh conversation, so prompt and answer fit a small context), stopped mid-way.
    await page.getByRole('button', {name: 'Clear'}).click();
    await page.getByLabel('Max tokens').fill('200');
    await page.getByLabel('Message', {exact: true}).fill('Again, longer');
    await page.getByRole('button', {name: 'Send'}).click();
    await page.getByRole('button', {name: 'Stop'}).click();
    const stopped = page.locator('.chat-status', {hasText: /Stopped after \d+ chunks/});
    await stopped.waitFor();
    const chunks = Number((await stopped.textContent()).match(/(\d+) chunks/)[1]);
    assert.ok(chunks < 200, 'stopped before the end: ' + chunks);
    assert.ok(await page.getByRole('button', {name: 'Send'}).isEnabled());
    assert.ok(await page.getByRole('button', {name: 'Stop'}).isDisabled());
    await checkPage(page, 'playground-chat-stopped');
  } finally {
    await browser.close();
  }
});

test('a model trained on a CSV is called with its raw columns and answers the right class', async () => {
  const name = unique('pg-size');
  await trainTabular(name);
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/playground/' + name);
    const x = page.getByLabel('x', {exact: true});
    await x.fill('9');
    await page.getByLabel('y', {exact: true}).fill('3');
    await page.getByLabel('colour', {exact: true}).fill('red');
    await x.press('Enter');
    const top = page.locator('table.top-classes tbody tr').first();
    await top.waitFor();
    assert.equal(await top.locator('.class-name').textContent(), 'big');
    assert.match(await page.locator('.classes').textContent(), /probabilities as the model gives them/);
    assert.equal(await page.locator('[data-output="class"] pre').textContent(), '["big"]');
    const curl = await snippet(page, 'curl');
    assert.ok(curl.includes(`${BASE}/v2/models/${name}/infer`) && curl.includes('"name":"colour","datatype":"BYTES"'), curl);
    await checkPage(page, 'playground-tabular-big');

    await x.fill('1');
    await page.getByRole('button', {name: 'Run'}).click();
    await page.locator('[data-output="class"] pre', {hasText: 'small'}).waitFor();
    assert.equal(await top.locator('.class-name').textContent(), 'small');
    await checkPage(page, 'playground-tabular-small');
  } finally {
    await browser.close();
  }
});
