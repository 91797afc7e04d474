import {test} from 'node:test';
import assert from 'node:assert/strict';
import {deflateSync, crc32} from 'node:zlib';
import {openBrowser, newPage, open, signIn, api, checkPage, unique, BASE, ADMIN_KEY} from '../lib.mjs';

/** Uploads a dataset version as `kiln datasets add` does: a CSV as text/csv, a folder as a zip. */
async function upload(path, body, type) {
  const res = await fetch(BASE + path, {method: 'POST', body,
    headers: {authorization: 'Bearer ' + ADMIN_KEY, 'content-type': type}});
  const answer = await res.json();
  assert.equal(res.status, 201, JSON.stringify(answer));
  return answer;
}

/** Submits a job, waits for it to succeed and deploys it under the dataset's name. */
async function trainAndDeploy(name, version, model, training) {
  const job = await api('POST', '/api/v1/jobs', {dataset: name, dataset_version: version, model, training});
  assert.equal(job.status, 202, JSON.stringify(job.body));
  let state = job.body;
  for (const until = Date.now() + 120_000; ['QUEUED', 'RUNNING'].includes(state.state) && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 300));
    state = (await api('GET', '/api/v1/jobs/' + state.id)).body;
  }
  assert.equal(state.state, 'SUCCEEDED', JSON.stringify(state.error ?? state));
  const deployed = await api('POST', `/api/v1/jobs/${state.id}/deploy`, {name});
  assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  return state.id;
}

/** An 8-bit RGB PNG of one grey level with a little seeded noise. */
function png(size, level, seed) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const raw = [];
  for (let y = 0, s = seed; y < size; y++) {
    raw.push(0);
    for (let x = 0; x < size; x++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const v = Math.max(0, Math.min(255, level + (s % 41) - 20));
      raw.push(v, v, v);
    }
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(raw))), chunk('IEND', Buffer.alloc(0))]);
}

/** A zip of stored (uncompressed) entries: {path: bytes}. */
function zip(files) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [path, data] of Object.entries(files)) {
    const name = Buffer.from(path);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    local.copy(entry, 10, 10, 28); // date, crc, sizes, name length
    entry.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    central.push(entry, name);
    offset += local.length + name.length + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** A tiny tabular model: size is "big" exactly when x >= 6; colour is noise; trained by exact logistic regression. */
async function trainTabular(name) {
  const rows = ['x,y,colour,size'];
  for (let i = 0; i < 60; i++) {
    const x = i % 12;
    rows.push(`${x},${(i * 7) % 10},${i % 3 ? 'red' : 'blue'},${x >= 6 ? 'big' : 'small'}`);
  }
  const dataset = await upload(`/api/v1/datasets/${name}?label=size`, rows.join('\n') + '\n', 'text/csv');
  const job = await trainAndDeploy(name, dataset.version, {type: 'logistic_regression'});
  // The same job deployed again: version 2 beside version 1, for the version picker.
  const again = await api('POST', `/api/v1/jobs/${job}/deploy`, {name});
  assert.equal(again.status, 201, JSON.stringify(again.body));
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
    await page.getByLabel('Filter by name').fill('tiny');
    await page.getByText(/^1 of \d+ models$/).waitFor();
    assert.equal(await list.getByRole('link', {name: 'add_sub'}).count(), 0);
    await page.getByLabel('Filter by name').fill('');

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
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {origin: BASE});
    await page.getByRole('button', {name: 'Copy curl'}).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), curl);
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

    // The snippet tabs by keyboard: arrows move between them.
    await page.getByRole('tab', {name: 'curl'}).click();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', {name: 'Python'}).getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Python');

    // An output of logits (no model here gives one): the page's own renderer shows their softmax and says so.
    const logits = await page.evaluate(async () => {
      const {renderOutputs} = await import('/console/pages/playground-output.js');
      const box = document.createElement('div');
      box.append(...renderOutputs({outputs: [{name: 'logits', datatype: 'FP32', shape: [1, 3], data: [2, 1, 0]}]},
        ['cat', 'dog', 'fox']));
      return [...box.querySelectorAll('p, tbody tr')].map((n) => n.textContent);
    });
    assert.ok(logits.includes('Output "logits" read as logits: the scores below are its softmax.'), logits.join('|'));
    assert.ok(logits.includes('cat66.5%') && logits.includes('dog24.5%') && logits.includes('fox9.0%'), logits.join('|'));

    await open(page, '#/playground/no-such-model');
    assert.match(await page.getByRole('alert').textContent(), /no-such-model/);
    await checkPage(page, 'playground-unknown');
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

    // Stop: a long answer (a fresh conversation, so prompt and answer fit a small context), stopped mid-way. The
    // tiny model writes hundreds of tokens a second, faster than a round trip from here, so the page itself presses
    // Stop as the first token shows; when the whole answer came in one read before that, it tries again.
    await page.getByLabel('Max tokens').fill('150');
    let status = '';
    for (let attempt = 0; attempt < 4 && !status.startsWith('Stopped'); attempt++) {
      await page.getByRole('button', {name: 'Clear'}).click();
      await page.getByLabel('Message', {exact: true}).fill('Again, longer');
      const pressed = page.evaluate(() => new Promise((resolve) => {
        const stop = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Stop');
        const watch = new MutationObserver(() => {
          const last = [...document.querySelectorAll('.msg-assistant')].pop();
          if (last && last.textContent.length > 'tiny-chat: '.length && !stop.disabled) {
            watch.disconnect();
            stop.click();
            resolve();
          }
        });
        watch.observe(document.querySelector('.chat'), {subtree: true, characterData: true, childList: true});
      }));
      await page.getByRole('button', {name: 'Send'}).click();
      await pressed;
      await page.locator('.chat-status', {hasText: /^(Stopped|Finished)/}).waitFor();
      status = await page.locator('.chat-status').textContent();
    }
    const chunks = Number(status.match(/Stopped after (\d+) chunks/)?.[1]);
    assert.ok(chunks < 150, 'stopped before the end: ' + status);
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
    const rows = await snippet(page, 'Python (rows)');
    assert.ok(rows.includes(`"${BASE}/predict/${name}"`) && rows.includes('{"x": 9, "y": 3, "colour": "red"}'), rows);
    await checkPage(page, 'playground-tabular-big');

    await x.fill('1');
    await page.getByRole('button', {name: 'Run'}).click();
    await page.locator('[data-output="class"] pre', {hasText: 'small'}).waitFor();
    assert.equal(await top.locator('.class-name').textContent(), 'small');
    await checkPage(page, 'playground-tabular-small');

    // An older version, picked by keyboard: the form calls /versions/1.
    const picker = page.getByLabel('Version');
    await picker.focus();
    await picker.selectOption('1');
    await page.waitForURL(/\?version=1$/);
    await page.getByLabel('x', {exact: true}).fill('10');
    await page.getByLabel('colour', {exact: true}).fill('blue');
    await page.getByLabel('y', {exact: true}).fill('2');
    await page.getByLabel('y', {exact: true}).press('Enter');
    await page.getByText('Answered by version 1').waitFor();
    assert.equal(await top.locator('.class-name').textContent(), 'big');
    assert.equal(await page.locator('[data-output="class"] pre').textContent(), '["big"]');
    assert.ok((await snippet(page, 'curl')).includes(`/v2/models/${name}/versions/1/infer`));
    await checkPage(page, 'playground-tabular-version');
  } finally {
    await browser.close();
  }
});

test('an image model is called with a picture decoded and resized in the browser', async () => {
  const name = unique('pg-shade');
  const files = {};
  for (let i = 0; i < 16; i++) {
    files[`light/${i}.png`] = png(8, 215, i + 1);
    files[`dark/${i}.png`] = png(8, 40, i + 101);
  }
  const dataset = await upload(`/api/v1/datasets/${name}?format=image_folder`, zip(files), 'application/zip');
  await trainAndDeploy(name, dataset.version, {type: 'sequential',
    layers: [{type: 'flatten'}, {type: 'dense', units: 2, activation: 'softmax'}],
    optimizer: {name: 'adam', learning_rate: 0.05}}, {epochs: 15, batch_size: 8});
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/playground/' + name);
    const picture = page.getByLabel(/^image \(FP32 \[N, \d, 8, 8\]\): picture/);
    // A bigger picture than the model takes: the page resizes it to 8 × 8.
    await picture.setInputFiles({name: 'bright.png', mimeType: 'image/png', buffer: png(32, 225, 7)});
    await page.getByText('bright.png: 32 × 32, resized to 8 × 8').waitFor();
    await page.getByRole('button', {name: 'Run'}).click();
    await page.locator('[data-output="class"] pre').waitFor();
    assert.equal(await page.locator('[data-output="class"] pre').textContent(), '["light"]');
    assert.equal(await page.locator('table.top-classes .class-name').first().textContent(), 'light');
    const python = await snippet(page, 'Python');
    assert.match(python, /Image\.open\("picture\.png"\)/);
    assert.ok(python.includes(`"${BASE}/v2/models/${name}/infer"`), python);
    await checkPage(page, 'playground-image-light');

    await picture.setInputFiles({name: 'dim.png', mimeType: 'image/png', buffer: png(16, 35, 9)});
    await page.getByText('dim.png: 16 × 16, resized to 8 × 8').waitFor();
    await page.getByRole('button', {name: 'Run'}).click();
    await page.locator('[data-output="class"] pre', {hasText: 'dark'}).waitFor();
    await checkPage(page, 'playground-image-dark');
  } finally {
    await browser.close();
  }
});

test('a key that may call only add_sub sees only add_sub in the playground', async (t) => {
  if (!ADMIN_KEY) return t.skip('needs a server with auth');
  const key = await api('POST', '/api/v1/keys', {name: unique('pg-scoped'), scopes: ['invoke:add_sub']});
  assert.equal(key.status, 201, JSON.stringify(key.body));
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page, key.body.token);
    await open(page, '#/playground');
    const list = page.getByRole('table');
    await list.getByRole('link', {name: 'add_sub'}).waitFor();
    assert.deepEqual(await list.getByRole('link').allTextContents(), ['add_sub']);
    await checkPage(page, 'playground-scoped-list');
    await open(page, '#/playground/tiny-chat');
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByLabel('Message', {exact: true}).count(), 0);
    page.problems.length = 0; // the refusals' 403/404 are logged by the browser, as expected
  } finally {
    await browser.close();
  }
});
