import {test} from 'node:test';
import assert from 'node:assert/strict';
import {openBrowser, newPage, open, signIn, api, checkPage, unique, ADMIN_KEY, BASE} from '../lib.mjs';

// add_sub (ExampleModels.addSub): inputs a, b FP32 [N, 4]; outputs sum = a + b, diff = a - b.
const INFER = {inputs: [
  {name: 'a', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4]},
  {name: 'b', datatype: 'FP32', shape: [1, 4], data: [1, 1, 1, 1]},
]};

async function keyByName(name) {
  const list = await api('GET', '/api/v1/keys');
  assert.equal(list.status, 200);
  return list.body.find((k) => k.name === name);
}

test('create a key with invoke:add_sub through the form, use it, see its usage, revoke it and see the call refused', async () => {
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/keys');
    await page.getByRole('heading', {name: /^Keys \(/}).waitFor();
    await checkPage(page, 'keys');

    const name = unique('shop');
    const form = page.getByRole('form', {name: 'Create a key'});
    await form.getByLabel('Name', {exact: true}).fill(name);
    await form.getByLabel(/^Scope \d+ names$/).fill('add_sub');
    await form.getByLabel('Requests / day', {exact: true}).fill('1000');
    await form.getByLabel('Requests / minute', {exact: true}).fill('600');
    await form.getByLabel('Expires in (days)').fill('30');
    await form.getByRole('button', {name: 'Add a per-model limit'}).click();
    await form.getByLabel('Model', {exact: true}).fill('add_sub');
    await form.getByLabel('Tokens / day (model)').fill('5000');
    await form.getByRole('button', {name: 'Create key'}).click();

    const secret = page.locator('code.secret');
    await secret.waitFor();
    const token = (await secret.textContent()).trim();
    assert.match(token, /^kiln_[a-z2-7]{12}_/);
    assert.match(await page.getByRole('alert').first().textContent(), /will not be shown again/);
    await page.getByRole('cell', {name: new RegExp('^' + name + ' ')}).waitFor();
    await checkPage(page, 'keys-created');

    const key = await keyByName(name);
    assert.deepEqual(key.scopes, ['invoke:add_sub']);
    assert.deepEqual(key.limits, {requests_per_minute: 600, requests_per_day: 1000});
    assert.deepEqual(key.model_limits, {add_sub: {tokens_per_day: 5000}});
    assert.equal(key.token, undefined, 'the list never holds a token');
    const days = (Date.parse(key.expires) - Date.parse(key.created)) / 86400e3;
    assert.ok(Math.abs(days - 30) < 0.01, 'expires in 30 days: ' + key.expires);

    const used = await api('POST', '/v2/models/add_sub/infer', INFER, token);
    assert.equal(used.status, 200, JSON.stringify(used.body));
    assert.deepEqual(used.body.outputs.find((o) => o.name === 'sum').data, [2, 3, 4, 5]);
    if (ADMIN_KEY) assert.equal((await api('GET', '/api/v1/keys', undefined, token)).status, 403, 'invoke only: no admin');

    await open(page, '#/usage?key=' + key.id);
    await page.getByRole('heading', {name: 'Usage', level: 1}).waitFor();
    if (ADMIN_KEY) { // usage is counted per key only with auth on
      const row = page.locator('table.grid tbody tr', {hasText: 'add_sub'});
      await row.first().waitFor();
      assert.equal(await row.count(), 1);
      assert.equal((await row.locator('td').nth(3).textContent()).trim(), '1', 'one request counted');
      assert.match(await row.locator('td').nth(1).textContent(), new RegExp(name));
      await page.getByText('1 / 1,000 requests today (0%)').first().waitFor(); // the quota against its limit
      await page.getByRole('img', {name: /Requests per day: 1 request in/}).waitFor();
    }
    await page.getByRole('heading', {name: 'Quotas today (UTC)'}).waitFor();
    await checkPage(page, 'usage');

    await open(page, '#/keys');
    await page.getByRole('button', {name: 'Revoke key ' + name}).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('cannot be undone').waitFor();
    await dialog.getByRole('button', {name: 'Revoke'}).click();
    await page.getByRole('row', {name: new RegExp(name)}).getByText('revoked', {exact: true}).waitFor();
    assert.ok((await keyByName(name)).revoked, 'the server says revoked');
    if (ADMIN_KEY) {
      const refused = await api('POST', '/v2/models/add_sub/infer', INFER, token);
      assert.equal(refused.status, 401, 'a revoked key is refused');
    }
    await checkPage(page, 'keys-revoked');
  } finally {
    await browser.close();
  }
});

test('a key is created, its token copied and the key revoked with the keyboard only', async () => {
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {origin: new URL(BASE).origin});
    await signIn(page);
    await open(page, '#/keys');
    await page.getByRole('heading', {name: /^Keys \(/}).waitFor();
    const focused = () => page.evaluate(() => {
      const e = document.activeElement;
      return (e.labels?.[0]?.textContent ?? '') + '|' + (e.getAttribute('aria-label') ?? '') + '|' + e.textContent;
    });
    async function tabTo(pattern) {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        if (pattern.test(await focused())) return;
      }
      assert.fail('Tab never reached ' + pattern);
    }
    const name = unique('kbd');
    await tabTo(/^Name\|/);
    await page.keyboard.type(name);
    await tabTo(/^\|Scope \d+ action\|/);
    await page.keyboard.press('ArrowDown'); // invoke -> manage
    await tabTo(/^\|Scope \d+ names\|/);
    await page.keyboard.type('kbd-*');
    await tabTo(/^Requests \/ day\|/);
    await page.keyboard.type('50');
    await tabTo(/\|Create key$/);
    await page.keyboard.press('Enter');
    await page.locator('code.secret').waitFor();
    assert.match(await focused(), /\|Copy$/, 'focus moves to the token\'s Copy button');
    await page.keyboard.press('Enter');
    await page.locator('#toast').getByText('Token copied to the clipboard.').waitFor();
    const token = (await page.locator('code.secret').textContent()).trim();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token, 'Copy put the token on the clipboard');
    await tabTo(/\|I have copied it$/);
    await page.keyboard.press('Enter');
    await page.locator('code.secret').waitFor({state: 'detached'});
    const key = await keyByName(name);
    assert.deepEqual(key.scopes, ['manage:kbd-*']);
    assert.deepEqual(key.limits, {requests_per_day: 50});
    await checkPage(page, 'keys-keyboard');

    await tabTo(new RegExp('\\|Revoke key ' + name + '\\|'));
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape'); // Esc cancels
    await page.getByRole('dialog').waitFor({state: 'detached'});
    assert.equal((await keyByName(name)).revoked, undefined, 'cancelled: still active');
    assert.match(await focused(), new RegExp('\\|Revoke key ' + name + '\\|'), 'focus is back on the button');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Tab'); // from Cancel to Revoke
    await page.keyboard.press('Enter');
    await page.getByRole('row', {name: new RegExp(name)}).getByText('revoked', {exact: true}).waitFor();
    assert.ok((await keyByName(name)).revoked);
  } finally {
    await browser.close();
  }
});

test('rotate: confirmed in a dialog, the new token shown once works and the old one is refused', async () => {
  const browser = await openBrowser();
  try {
    const name = unique('rotate');
    const made = await api('POST', '/api/v1/keys', {name, scopes: ['invoke:add_sub']});
    assert.equal(made.status, 201);
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/keys');
    await page.getByRole('button', {name: 'Rotate key ' + name}).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('stops working at once').waitFor();
    await dialog.getByRole('button', {name: 'Cancel'}).click();
    await dialog.waitFor({state: 'detached'});
    assert.equal(await page.locator('code.secret').count(), 0, 'cancelled: nothing rotated');
    assert.equal((await api('POST', '/v2/models/add_sub/infer', INFER, made.body.token)).status, 200);

    await page.getByRole('button', {name: 'Rotate key ' + name}).click();
    await dialog.getByRole('button', {name: 'Rotate'}).click();
    const secret = page.locator('code.secret');
    await secret.waitFor();
    const token = (await secret.textContent()).trim();
    assert.notEqual(token, made.body.token);
    assert.match(await page.getByRole('heading', {level: 2}).first().textContent(), new RegExp('New token for "' + name));
    // A browser that refuses the clipboard: Copy selects the token for Ctrl+C instead.
    await page.evaluate(() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); });
    await page.getByRole('button', {name: 'Copy'}).click();
    await page.locator('#toast').getByText(/press Ctrl\+C/).waitFor();
    assert.equal(await page.evaluate(() => window.getSelection().toString()), token, 'the token is selected');
    assert.equal((await api('POST', '/v2/models/add_sub/infer', INFER, token)).status, 200, 'the new token works');
    if (ADMIN_KEY) {
      assert.equal((await api('POST', '/v2/models/add_sub/infer', INFER, made.body.token)).status, 401, 'the old one is refused');
    }
    await checkPage(page, 'keys-rotated');
    await page.getByRole('button', {name: 'I have copied it'}).click();
    await secret.waitFor({state: 'detached'});
    assert.match(await page.evaluate(() => document.activeElement.textContent), /^Keys \(/, 'focus lands on the list');
    await page.reload();
    await page.getByRole('heading', {name: /^Keys \(/}).waitFor();
    assert.equal(await page.locator('code.secret').count(), 0, 'a token is never shown twice');
  } finally {
    await browser.close();
  }
});

test('the form says what is wrong before the server does, and keeps the input', async () => {
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/keys');
    const form = page.getByRole('form', {name: 'Create a key'});
    await form.getByLabel('Name', {exact: true}).fill('bad-scope');
    await form.getByLabel(/^Scope \d+ names$/).fill('a b<script>');
    await form.getByRole('button', {name: 'Create key'}).click();
    await form.getByRole('alert').getByText(/only letters, digits/).waitFor();
    assert.equal(await form.getByLabel('Name', {exact: true}).inputValue(), 'bad-scope');
    assert.equal(await keyByName('bad-scope'), undefined);
    await checkPage(page, 'keys-invalid');
  } finally {
    await browser.close();
  }
});

test('a key that is not admin sees its own usage only, and no key management', {skip: !ADMIN_KEY && 'auth off'}, async () => {
  const browser = await openBrowser();
  try {
    const mine = await api('POST', '/api/v1/keys', {name: unique('mine'), scopes: ['invoke:add_sub']});
    const other = await api('POST', '/api/v1/keys', {name: unique('other'), scopes: ['invoke:add_sub']});
    assert.equal((await api('POST', '/v2/models/add_sub/infer', INFER, mine.body.token)).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await api('POST', '/v2/models/add_sub/infer', INFER, other.body.token)).status, 200);

    const page = await newPage(browser);
    await signIn(page, mine.body.token);
    const nav = page.getByRole('navigation', {name: 'Sections'});
    assert.equal(await nav.getByRole('link', {name: 'Keys'}).count(), 0, 'no Keys link for a non-admin key');
    await open(page, '#/usage?key=' + other.body.id); // asking for another key's usage shows one's own
    await page.getByRole('heading', {name: 'Usage', level: 1}).waitFor();
    await page.getByRole('heading', {name: 'Quotas today (UTC)'}).waitFor();
    const rows = page.locator('table.grid tbody tr');
    await rows.first().waitFor();
    const text = await page.locator('main').textContent();
    assert.ok(text.includes(mine.body.id), 'its own key id is listed');
    assert.ok(!text.includes(other.body.id), 'another key\'s id never is');
    assert.equal(await page.getByLabel('Key', {exact: true}).count(), 0, 'no key filter');
    assert.match(text, /this key made [1-9]\d* requests/);
    assert.match(text, /This key has no rate limit or daily quota/, 'the session tells a key its own (absent) limits');
    await checkPage(page, 'usage-own');

    await open(page, '#/keys');
    await page.getByText('Only an admin key can see and manage keys').waitFor();
    await checkPage(page, 'keys-not-admin');
  } finally {
    await browser.close();
  }
});

test('tokens: a language model\'s tokens are charted per day and counted against the daily token quota', {skip: !ADMIN_KEY && 'auth off'}, async () => {
  const browser = await openBrowser();
  try {
    const made = await api('POST', '/api/v1/keys', {name: unique('chat'), scopes: ['invoke:tiny-chat'], limits: {tokens_per_day: 1000}});
    const chat = await api('POST', '/v1/chat/completions', {model: 'tiny-chat', max_tokens: 4,
      messages: [{role: 'user', content: 'hello'}]}, made.body.token);
    assert.equal(chat.status, 200, JSON.stringify(chat.body));
    const tokens = chat.body.usage.total_tokens;
    assert.ok(tokens > 0);

    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/usage?key=' + made.body.id);
    await page.getByRole('heading', {name: 'Usage', level: 1}).waitFor();
    await page.getByRole('img', {name: new RegExp(`^Tokens per day: ${tokens} tokens in`)}).waitFor();
    await page.getByText(`${tokens} / 1,000 tokens today`).waitFor();
    const row = page.locator('table.grid tbody tr', {hasText: 'tiny-chat'});
    assert.equal((await row.locator('td').nth(6).textContent()).trim(), String(tokens));
    await checkPage(page, 'usage-tokens');
  } finally {
    await browser.close();
  }
});

test('states: an expired key says so, and the state and text filters narrow the list', async () => {
  const browser = await openBrowser();
  try {
    const tag = unique('states');
    const expired = await api('POST', '/api/v1/keys', {name: tag + '-old', scopes: ['invoke:*'], expires_at: '2020-01-01T00:00:00Z'});
    const active = await api('POST', '/api/v1/keys', {name: tag + '-new', scopes: ['invoke:*']});
    assert.equal(expired.status, 201);
    assert.equal(active.status, 201);
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/keys');
    await page.getByLabel('Filter', {exact: true}).fill(tag);
    await page.getByRole('row', {name: new RegExp(tag + '-new')}).getByText('active', {exact: true}).waitFor();
    await page.getByRole('row', {name: new RegExp(tag + '-old')}).getByText('expired', {exact: true}).waitFor();
    await page.getByLabel('State', {exact: true}).selectOption('expired');
    await page.getByRole('row', {name: new RegExp(tag + '-new')}).waitFor({state: 'detached'});
    assert.equal(await page.getByRole('row', {name: new RegExp(tag)}).count(), 1);
    await page.getByText('2020-01-01 00:00:00Z').waitFor();
    await checkPage(page, 'keys-filtered');
  } finally {
    await browser.close();
  }
});

test('rotating the key the console signed in with shows the new token, then asks to sign in with it', {skip: !ADMIN_KEY && 'auth off'}, async () => {
  const browser = await openBrowser();
  try {
    const name = unique('self');
    const made = await api('POST', '/api/v1/keys', {name, scopes: ['admin']});
    const page = await newPage(browser);
    await signIn(page, made.body.token);
    await open(page, '#/keys');
    await page.getByRole('button', {name: 'Rotate key ' + name}).click();
    await page.getByRole('dialog').getByText('you sign in again with the new token').waitFor();
    await page.getByRole('dialog').getByRole('button', {name: 'Rotate'}).click();
    const secret = page.locator('code.secret');
    await secret.waitFor();
    const token = (await secret.textContent()).trim();
    await page.waitForTimeout(500);
    assert.ok(await secret.isVisible(), 'the token stays on the page although the session ended');
    await page.getByRole('button', {name: 'I have copied it'}).click();
    await page.getByLabel('API key').waitFor();
    page.problems.length = 0;
    await signIn(page, token);
    await open(page, '#/keys');
    await page.getByRole('heading', {name: /^Keys \(/}).waitFor();
    await checkPage(page, 'keys-own-rotated');
  } finally {
    await browser.close();
  }
});
