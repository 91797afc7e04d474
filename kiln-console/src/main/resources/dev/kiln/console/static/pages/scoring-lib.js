// Shared pieces of the scoring pages: the job's states, its progress as text and a bar, and a refusal said plainly.
import {h, fmtNumber} from '../dom.js';

export const SCORING = '/api/v1/scoring-jobs';
export const finished = (state) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state);

/** "12,000 of 50,000 rows" (rows_done counts rows in committed parts, so it moves a part at a time). */
export function rowsText(j) {
  const done = j.rows_done ?? 0;
  return j.rows_total ? `${fmtNumber(done)} of ${fmtNumber(j.rows_total)} rows` : `${fmtNumber(done)} rows`;
}

export function fraction(j) {
  if (j.state === 'SUCCEEDED') return 1;
  return j.rows_total ? Math.min(1, (j.rows_done ?? 0) / j.rows_total) : 0;
}

export function progressBar(j, label) {
  const bar = h('progress', {max: 1, 'aria-label': label});
  bar.value = fraction(j);
  return bar;
}

export const datasetText = (r) => (r?.dataset ?? '–') + (r?.dataset_version ? ' v' + r.dataset_version : '');

/**
 * A refusal as a person can act on it: 404 on a dataset or job may also mean "this key may not read it" (the server
 * does not tell the two apart, on purpose), 403 names the missing scope.
 */
export function refusal(e, what) {
  if (e?.status === 404) {
    return h('div', {class: 'error', role: 'alert'}, h('strong', null, `Not found: ${what} does not exist, or this key may not read it.`),
      ' ', h('span', null, 'The server said: ' + e.message));
  }
  if (e?.status === 403) {
    return h('div', {class: 'error', role: 'alert'}, h('strong', null, 'Not allowed: this key lacks the scope for this.'),
      ' ', h('span', null, 'The server said: ' + e.message));
  }
  return h('div', {class: 'error', role: 'alert'}, e?.message ?? String(e));
}
