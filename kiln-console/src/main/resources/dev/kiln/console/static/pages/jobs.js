// Jobs: a table with filters (state, dataset, text) sent to the server as limit/offset/state/dataset/q; a server that
// does not page (no X-Total-Count) sends every job, which is then filtered here. Tick two or more to compare them.
import {h, mount, pageHeader, field, errorBox, badge, fmtNumber, fmtTime} from '../dom.js';
import {page} from '../api.js';
import {modelType, datasetOf, testMetrics, finished} from './training-jobs.js';

const PAGE = 25;
const STATES = ['', 'queued', 'running', 'succeeded', 'failed', 'cancelled'];

export default async function render(main, ctx) {
  const f = {state: ctx.query.get('state') || '', dataset: ctx.query.get('dataset') || '', q: ctx.query.get('q') || ''};
  const offset = Math.max(0, Number(ctx.query.get('offset')) || 0);
  const picked = new Set();
  const compare = h('button', {type: 'button', disabled: true, onclick: () =>
    ctx.go('#/jobs/compare?ids=' + [...picked].sort((a, b) => a - b).join(','))}, 'Compare');
  const hint = h('span', {class: 'muted', 'aria-live': 'polite'}, 'Tick two or more jobs to compare them.');
  const onPick = (id, on) => {
    if (on) picked.add(id); else picked.delete(id);
    compare.disabled = picked.size < 2;
    hint.textContent = picked.size ? `${picked.size} picked` + (picked.size < 2 ? ': tick one more to compare.' : '.')
      : 'Tick two or more jobs to compare them.';
  };
  const list = h('div', null, h('p', {class: 'muted'}, 'Loading…'));
  mount(main, pageHeader('Training jobs', h('a', {href: '#/jobs/new'}, 'New job')),
    filters(ctx, f), h('div', {class: 'actions compare-bar'}, compare, hint), list);

  let res;
  try {
    res = await page('/api/v1/jobs', {limit: PAGE, offset, state: f.state.toUpperCase(), dataset: f.dataset, q: f.q});
  } catch (e) {
    mount(list, errorBox(e));
    return;
  }
  if (!ctx.isCurrent()) return;
  const paged = res.total !== null;
  let jobs = res.items;
  if (!paged) jobs = jobs.filter((j) => matches(j, f)).sort((a, b) => b.id - a.id);
  mount(list, jobTable(jobs, onPick, f), paged ? pager(f, offset, res.total) : null);
}

function matches(j, f) {
  if (f.state && String(j.state).toLowerCase() !== f.state) return false;
  if (f.dataset && datasetOf(j).name !== f.dataset) return false;
  if (f.q) {
    const hay = [j.id, j.state, datasetOf(j).text, modelType(j), j.created_by, j.error].join(' ').toLowerCase();
    if (!hay.includes(f.q.toLowerCase())) return false;
  }
  return true;
}

function query(f, offset) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  if (offset) q.set('offset', offset);
  return q.size ? '?' + q : '';
}

function filters(ctx, f) {
  const state = h('select', {name: 'state'}, STATES.map((s) => h('option', {value: s, selected: s === f.state}, s || 'any')));
  const dataset = h('input', {name: 'dataset', value: f.dataset, autocomplete: 'off'});
  const text = h('input', {type: 'search', name: 'q', value: f.q});
  return h('form', {class: 'filters', role: 'search', 'aria-label': 'Filter jobs', onsubmit: (e) => {
    e.preventDefault();
    ctx.go('#/jobs' + query({state: state.value, dataset: dataset.value.trim(), q: text.value.trim()}, 0));
  }}, field('State', state), field('Dataset', dataset), field('Search', text),
  h('button', {type: 'submit', class: 'secondary'}, 'Filter'),
  f.state || f.dataset || f.q ? h('a', {href: '#/jobs'}, 'Clear filters') : null);
}

function jobTable(jobs, onPick, f) {
  if (!jobs.length) {
    return h('p', {class: 'muted'}, f.state || f.dataset || f.q ? 'No job matches these filters.'
      : 'No jobs yet: start one with New job.');
  }
  const head = ['Compare', 'Job', 'State', 'Dataset', 'Model', 'Progress', 'Accuracy / R²', 'Created', 'By'];
  return h('table', {class: 'grid jobs'},
    h('thead', null, h('tr', null, head.map((t) => h('th', {scope: 'col'}, t)))),
    h('tbody', null, jobs.map((j) => {
      const m = testMetrics(j);
      const p = j.progress;
      const box = h('input', {type: 'checkbox', 'aria-label': 'Pick job ' + j.id + ' to compare',
        onchange: (e) => onPick(j.id, e.target.checked)});
      const ds = datasetOf(j);
      return h('tr', null,
        h('td', null, box),
        h('td', null, h('a', {href: '#/jobs/' + j.id}, '#' + j.id)),
        h('td', null, badge(j.state)),
        h('td', null, ds.name === '–' ? '–' : h('a', {href: '#/datasets/' + encodeURIComponent(ds.name)}, ds.text)),
        h('td', null, modelType(j)),
        h('td', null, progressText(j)),
        h('td', {class: 'num'}, fmtNumber(m.accuracy ?? m.r2, 4)),
        h('td', null, fmtTime(j.created)),
        h('td', null, j.created_by ?? '–'));
    })));
}

function progressText(j) {
  const p = j.progress;
  const n = j.history?.length ?? 0;
  if (!finished(j.state) && p?.epochs) return `epoch ${p.epoch} of ${p.epochs}`;
  return n ? n + (n === 1 ? ' epoch' : ' epochs') : '–';
}

function pager(f, offset, total) {
  return h('nav', {class: 'pager', 'aria-label': 'Pages'},
    offset > 0 ? h('a', {href: '#/jobs' + query(f, Math.max(0, offset - PAGE))}, '← Previous') : null,
    h('span', {class: 'muted'}, total ? `${offset + 1}–${Math.min(offset + PAGE, total)} of ${fmtNumber(total)}` : '0 jobs'),
    offset + PAGE < total ? h('a', {href: '#/jobs' + query(f, offset + PAGE)}, 'Next →') : null);
}
