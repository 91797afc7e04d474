import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createServer} from 'node:http';
import {openBrowser, newPage, open, signIn, api, checkPage, unique, BASE, ADMIN_KEY} from '../lib.mjs';

// Sessions (cookie, CSRF token) exist only with auth on; a dev server with auth off skips what needs them.
const AUTH = Boolean(ADMIN_KEY);

/** The page another site would serve: a form that posts a key request to Kiln as soon as it loads. */
function attackerPage(target, name) {
  // text/plain is a "simple" request (no CORS preflight); the body reads as JSON: {"name":"...","scopes":["admin"],"x":"="}
  const field = JSON.stringify({name, scopes: ['admin'], x: ''}).slice(0, -2);
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html><html lang="en"><head><title>Win a prize</title></head><body>
<form id="f" method="POST" action="${esc(target)}/api/v1/keys" enctype="text/plain">
<input type="hidden" name="${esc(field)}" value='"}'></form>
<script>document.getElementById('f').submit();</script></body></html>`;
}

/** A tiny server for that page, on another port; serve(name) sets the key name the next page asks for. */
async function serveAttacker() {
  let name = '';
  const server = createServer((req, res) => {
    res.writeHead(200, {'content-type': 'text/html; charset=utf-8'});
    res.end(attackerPage(BASE, name));
  });
  server.serve = (n) => { name = n; };
  await new Promise((resolve) => server.listen(0, resolve));
  return server;
}

async function keyNamed(name) {
  return (await api('GET', '/api/v1/keys')).body.find((k) => k.name === name);
}

test('CSRF: a cross-site form post and a same-origin fetch without X-CSRF-Token create no key', {skip: !AUTH && 'auth off'}, async () => {
  const browser = await openBrowser();
  const attacker = await serveAttacker();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/keys');
    await checkPage(page, 'security-signed-in');
    const port = attacker.address().port;
    const kiln = new URL(BASE);
    // Another site (localhost vs 127.0.0.1 are different sites): SameSite=Strict keeps the cookie home, and the
    // browser's Sec-Fetch-Site: cross-site alone has the change refused (as it is with auth off).
    // The same host on another port is the same site but another origin: the cookie goes, the CSRF token cannot.
    const origins = [
      [(kiln.hostname === 'localhost' ? 'http://127.0.0.1:' : 'http://localhost:') + port, 403, /another site/i],
      ['http://' + kiln.hostname + ':' + port, 403, /csrf/i]];
    for (const [origin, expected, why] of origins) {
      const name = unique('csrf-form');
      attacker.serve(name);
      const evil = await page.context().newPage();
      const answer = evil.waitForResponse((r) => r.url().endsWith('/api/v1/keys') && r.request().method() === 'POST');
      await evil.goto(origin + '/');
      const res = await answer;
      assert.equal(res.status(), expected, `${origin}: refused`);
      assert.match(await res.text(), why, `${origin}: the reason`);
      assert.equal(await keyNamed(name), undefined, `${origin}: no key was created`);
      await evil.close();
    }

    const name = unique('csrf-fetch');
    const without = await page.evaluate((n) => fetch('/api/v1/keys', {method: 'POST', credentials: 'same-origin',
      headers: {'content-type': 'application/json'}, body: JSON.stringify({name: n, scopes: ['admin']})})
      .then((r) => r.status), name);
    assert.equal(without, 403, 'the cookie alone does not make a mutation');
    assert.equal(await keyNamed(name), undefined);
    const wrong = await page.evaluate((n) => fetch('/api/v1/keys', {method: 'POST', credentials: 'same-origin',
      headers: {'content-type': 'application/json', 'x-csrf-token': 'not-the-token'},
      body: JSON.stringify({name: n, scopes: ['admin']})}).then((r) => r.status), name);
    assert.equal(wrong, 403, 'a wrong token is refused too');
    const withToken = await page.evaluate(async (n) => {
      const s = await (await fetch('/api/v1/session')).json();
      const r = await fetch('/api/v1/keys', {method: 'POST', credentials: 'same-origin',
        headers: {'content-type': 'application/json', 'x-csrf-token': s.csrf_token},
        body: JSON.stringify({name: n, scopes: ['invoke:nothing']})});
      return r.status;
    }, name + '-ok');
    assert.equal(withToken, 201, 'with the session\'s token the same call works');
    page.problems.length = 0; // the refused fetches' 403s are logged by the browser, as expected
  } finally {
    attacker.close();
    await browser.close();
  }
});

function assertStrictCsp(where, headers) {
  const csp = headers.get('content-security-policy');
  assert.ok(csp, `${where}: a Content-Security-Policy header`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${where}: ${csp}`);
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0])
    .map(([k, ...v]) => [k, v]));
  const scripts = directives['script-src'] ?? directives['default-src'];
  assert.ok(scripts, `${where}: script-src or default-src in ${csp}`);
  assert.ok(!scripts.some((s) => s === '*' || /^(https?|data|blob):$/.test(s)), `${where}: scripts from this origin only: ${csp}`);
  assert.ok(directives['object-src']?.includes("'none'") || directives['default-src']?.includes("'none'")
    || directives['default-src']?.includes("'self'"), `${where}: no plugins: ${csp}`);
  assert.ok(directives['frame-ancestors']?.includes("'none'"), `${where}: not framed by another site: ${csp}`);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${where}: nosniff`);
  assert.equal(headers.get('referrer-policy'), 'no-referrer', `${where}: no referrer`);
  return csp;
}

test('CSP: every answer has a strict policy, and the page refuses an injected inline script', async () => {
  const checks = [
    ['the console page', '/console/', 200],
    ['a console script', '/console/app.js', 200],
    ['an API answer', '/api/v1/keys', 200],
    ['a 404', '/api/v1/no-such-route', 404],
    ['a missing console file', '/console/no-such-file.js', 404],
  ];
  for (const [where, path, status] of checks) {
    const r = await api('GET', path);
    assert.equal(r.status, status, `${where}: ${path}`);
    assertStrictCsp(`${where} (${path})`, r.headers);
  }
  const anonymous = await fetch(BASE + '/api/v1/keys');
  if (AUTH) assert.equal(anonymous.status, 401);
  assertStrictCsp('a 401', anonymous.headers);

  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/usage');
    const blocked = await page.evaluate(() => new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), {once: true});
      const s = document.createElement('script');
      s.textContent = 'window.kilnPwned = true';
      document.body.append(s);
      setTimeout(() => resolve(null), 2000);
    }));
    assert.match(String(blocked), /script-src/, 'the inline script was refused by the CSP');
    assert.equal(await page.evaluate(() => window.kilnPwned), undefined, 'and did not run');
    page.problems.length = 0; // Chromium logs the refusal as a console error: that is the point
    await checkPage(page, 'security-usage');
  } finally {
    await browser.close();
  }
});

test('the session cookie is HttpOnly and SameSite=Strict, and after sign-out its value is refused', {skip: !AUTH && 'auth off'}, async () => {
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await signIn(page);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'kiln_session');
    assert.ok(session, 'a kiln_session cookie: ' + cookies.map((c) => c.name));
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.path, '/');
    assert.ok(!(await page.evaluate(() => document.cookie)).includes('kiln_session'), 'scripts cannot read it');
    const replay = () => fetch(BASE + '/api/v1/keys', {headers: {cookie: 'kiln_session=' + session.value}});
    assert.equal((await replay()).status, 200, 'the cookie works while signed in');

    await page.getByRole('button', {name: 'Sign out'}).click();
    await page.getByLabel('API key').waitFor();
    assert.equal((await replay()).status, 401, 'the old cookie value is refused after sign-out');
    const me = await fetch(BASE + '/api/v1/session', {headers: {cookie: 'kiln_session=' + session.value}});
    assert.equal(me.status, 401);
    assert.equal((await page.context().cookies()).find((c) => c.name === 'kiln_session'), undefined, 'and cleared');
    await checkPage(page, 'security-signed-out');
  } finally {
    await browser.close();
  }
});

test('a key name holding markup is shown as text on the keys and usage pages and in the dialogs, and runs nothing', async () => {
  const browser = await openBrowser();
  try {
    const name = `<img src=x onerror="window.kilnPwned=1"><script>window.kilnPwned=2</script>${unique('x')}`;
    const made = await api('POST', '/api/v1/keys', {name, scopes: ['invoke:add_sub']});
    assert.equal(made.status, 201);
    const page = await newPage(browser);
    await signIn(page);
    await open(page, '#/keys');
    await page.getByRole('cell', {name: new RegExp('^' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))}).waitFor();
    await page.getByRole('button', {name: 'Revoke key ' + name}).click();
    await page.getByRole('dialog').getByText(name, {exact: false}).waitFor();
    await page.getByRole('dialog').getByRole('button', {name: 'Cancel'}).click();
    await open(page, '#/usage');
    await page.getByRole('heading', {name: 'Usage', level: 1}).waitFor();
    await page.getByRole('combobox', {name: 'Key'}).locator('option', {hasText: name}).waitFor({state: 'attached'});
    assert.equal(await page.evaluate(() => window.kilnPwned), undefined, 'the payload did not run');
    assert.equal(await page.locator('main img, main script').count(), 0, 'no element came from the name');
    await checkPage(page, 'security-markup-name');
  } finally {
    await browser.close();
  }
});
