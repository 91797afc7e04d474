// Times the console's own pages in Chromium against a running server (KILN_URL, KILN_ADMIN_KEY): signs in once, then
// for each page navigates inside the console (from its cheap "Not found" page, as a click on a link does) and waits for
// the thing the user waits for on that page (the main table's rows, the overview's cards, a job's results); one
// untimed visit, then KILN_BENCH_RUNS timed ones. Counts the API requests each visit made and the JSON bytes they
// answered (bodies as the page received them, decoded). Prints one JSON object on stdout; run by ConsoleBench
// --browser (bench/console --browser), or by hand: `npm ci` here, then
//   KILN_URL=http://127.0.0.1:8000 KILN_ADMIN_KEY=kiln_... node bench-pages.mjs
import {openBrowser, newPage, signIn, api} from './lib.mjs';

const RUNS = Number(process.env.KILN_BENCH_RUNS ?? 5);
const WAIT = Number(process.env.KILN_BENCH_TIMEOUT_MS ?? 15000);
const ROWS = 'main table tbody tr';

/** The middle item of a paged list (its X-Total-Count), so the page shown is neither the newest nor the oldest. */
async function middle(path) {
  const first = await api('GET', path + '?limit=1');
  const total = Number(first.headers.get('x-total-count') ?? 1);
  const r = await api('GET', `${path}?limit=1&offset=${Math.floor(total / 2)}`);
  if (r.status !== 200 || !r.body.length) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body[0];
}

const job = await middle('/api/v1/jobs');
const model = await middle('/api/v1/models');
/** [name, route, what "content ready" is: a selector that appears once the page shows what it is for]. */
const PAGES = [
  ['overview', '#/', 'main .cards .stat'],
  ['models', '#/models', ROWS],
  ['one model', '#/models/' + encodeURIComponent(model.name), ROWS],
  ['jobs', '#/jobs', 'main table.jobs tbody tr'],
  ['jobs, failed', '#/jobs?state=failed', 'main table.jobs tbody tr'],
  ['one job', '#/jobs/' + job.id, 'main section[aria-label="Results"] > *'],
  ['audit', '#/audit', ROWS],
  ['audit by action', '#/audit?action=model.alias', ROWS],
  ['usage', '#/usage', 'main h2 + div table tbody tr'],
  ['keys', '#/keys', ROWS],
  ['datasets', '#/datasets', ROWS],
];

const isApi = (req) => /^\/(api|v1|v2)\//.test(new URL(req.url()).pathname);
const browser = await openBrowser();
const results = [];
try {
  const page = await newPage(browser);
  await signIn(page);
  const live = new Set(); // API requests not yet answered in full (an event stream counts once its headers came)
  let visit = {requests: 0, bytes: 0, pending: []};
  page.on('request', (r) => { if (isApi(r)) { live.add(r); visit.requests++; } });
  page.on('response', (r) => {
    if (!isApi(r.request())) return;
    if ((r.headers()['content-type'] ?? '').includes('text/event-stream')) { live.delete(r.request()); return; }
    const v = visit;
    v.pending.push(r.body().then((b) => { v.bytes += b.length; }, () => {}));
  });
  const done = (r) => live.delete(r);
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  /** Until no API request is open for 250 ms (at most 5 s: a page that polls is never quiet). */
  const quiet = async () => {
    for (let since = Date.now(), calm = Date.now(); Date.now() - since < 5000; await page.waitForTimeout(25)) {
      if (live.size) calm = Date.now();
      else if (Date.now() - calm >= 250) return;
    }
  };
  const leave = async () => {
    await page.evaluate(() => { location.hash = '#/bench-elsewhere'; });
    await page.locator('main h1', {hasText: 'Not found'}).waitFor();
    await quiet();
  };
  await leave();
  for (const [name, route, ready] of PAGES) {
    const row = {name, route, ready, ms: []};
    results.push(row);
    for (let i = 0; i <= RUNS; i++) {
      await leave();
      visit = {requests: 0, bytes: 0, pending: []};
      const t0 = performance.now();
      await page.evaluate((h) => { location.hash = h; }, route);
      try {
        await page.locator(ready).first().waitFor({state: 'visible', timeout: WAIT});
      } catch (e) {
        row.error = `no "${ready}" within ${WAIT} ms: ` + (await page.locator('main').innerText()).replace(/\s+/g, ' ').slice(0, 120);
        break;
      }
      const ms = performance.now() - t0;
      await quiet();
      await Promise.all(visit.pending);
      if (i > 0) row.ms.push(ms); // the first visit loads the page's modules: untimed
      row.requests = visit.requests;
      row.bytes = visit.bytes;
    }
    const s = [...row.ms].sort((a, b) => a - b);
    if (s.length) {
      row.median = (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
      row.max = s[s.length - 1];
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({job: job.id, model: model.name, runs: RUNS, pages: results}));
