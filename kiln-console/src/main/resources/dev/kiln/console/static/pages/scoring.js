// Scoring jobs: the key's batch-scoring jobs (an admin's: everyone's), newest first, a page at a time (limit/offset and
// X-Total-Count). The API has no state filter, so none is offered. Each row links to the job's live page.
import {h, mount, pageHeader, badge, fmtNumber, fmtTime} from '../dom.js';
import {page} from '../api.js';
import {SCORING, rowsText, progressBar, datasetText, refusal} from './scoring-lib.js';

const PAGE = 25;

export default async function render(main, ctx) {
  const offset = Math.max(0, Number(ctx.query.get('offset')) || 0);
  const list = h('div', null, h('p', {class: 'muted'}, 'Loading…'));
  mount(main, pageHeader('Scoring jobs', h('a', {href: '#/scoring/new', class: 'button'}, 'Score a dataset')),
    h('p', {class: 'muted'}, 'A scoring job runs a served model over every row of a stored dataset inside the server ' +
      'and keeps the predictions as a CSV to download.'), list);
  let res;
  try {
    res = await page(SCORING, {limit: PAGE, offset});
  } catch (e) {
    if (ctx.isCurrent()) mount(list, refusal(e, 'the scoring API'));
    return;
  }
  if (!ctx.isCurrent()) return;
  const jobs = res.total === null ? res.items.slice(offset, offset + PAGE) : res.items;
  const total = res.total ?? res.items.length;
  mount(list, jobTable(jobs), pager(offset, total));
}

function jobTable(jobs) {
  if (!jobs.length) return h('p', {class: 'muted'}, 'No scoring jobs yet: start one with Score a dataset.');
  const head = ['Job', 'State', 'Model', 'Dataset', 'Progress', 'Rows/s', 'Created', 'By'];
  return h('table', {class: 'grid scoring-jobs'},
    h('thead', null, h('tr', null, head.map((t) => h('th', {scope: 'col'}, t)))),
    h('tbody', null, jobs.map((j) => h('tr', null,
      h('td', null, h('a', {href: '#/scoring/' + j.id}, '#' + j.id)),
      h('td', null, badge(j.state)),
      h('td', null, j.request?.model ?? '–'),
      h('td', null, datasetText(j.request)),
      h('td', {class: 'scoring-progress'}, progressBar(j, 'Job ' + j.id + ' progress'), h('span', {class: 'muted'}, rowsText(j))),
      h('td', {class: 'num'}, j.rows_per_second ? fmtNumber(Math.round(j.rows_per_second)) : '–'),
      h('td', null, fmtTime(j.created)),
      h('td', null, j.created_by ?? '–')))));
}

function pager(offset, total) {
  if (total <= PAGE && offset === 0) return null;
  return h('nav', {class: 'pager', 'aria-label': 'Pages'},
    offset > 0 ? h('a', {href: '#/scoring?offset=' + Math.max(0, offset - PAGE)}, '← Previous') : null,
    h('span', {class: 'muted'}, total ? `${offset + 1}–${Math.min(offset + PAGE, total)} of ${fmtNumber(total)}` : '0 jobs'),
    offset + PAGE < total ? h('a', {href: '#/scoring?offset=' + (offset + PAGE)}, 'Next →') : null);
}
