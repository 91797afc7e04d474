import {test} from 'node:test';
import assert from 'node:assert/strict';
import {openBrowser, newPage, open, signIn, checkPage} from '../lib.mjs';

test('a wrong key is refused with a message; the right key signs in and out', async () => {
  const browser = await openBrowser();
  try {
    const page = await newPage(browser);
    await open(page, '#/models');
    await page.getByLabel('API key').waitFor();
    await checkPage(page, 'signin');
    await page.getByLabel('API key').fill('kiln_not_a_key');
    await page.getByRole('button', {name: 'Sign in'}).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /not valid|unknown|invalid/i);
    page.problems.length = 0; // the refused sign-in's 401 is logged by the browser, as expected

    await signIn(page);
    assert.ok(await page.getByRole('navigation', {name: 'Sections'}).getByRole('link', {name: 'Models'}).isVisible());
    await page.getByRole('button', {name: 'Sign out'}).click();
    await page.getByLabel('API key').waitFor();
    await page.goto('/console/#/models');
    await page.getByLabel('API key').waitFor(); // signed out: the session cookie no longer works
  } finally {
    await browser.close();
  }
});
