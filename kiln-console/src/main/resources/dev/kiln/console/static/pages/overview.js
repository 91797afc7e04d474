// Overview: is the server ready, which models serve and which failed (with why), recent traffic, running and queued
// jobs, and the latest audit events for an admin.
import {h, mount, pageHeader, table, badge, fmtTime} from '../dom.js';
import {call, page, seg, session} from '../api.js';
import {servingIndex, languageModels, servingState, stateCell, auditTable, noteFor} from './models-lib.js';
import {trafficSection} from './models-metrics.js';

export default async function render(main, ctx) {
  const opts = {signal: ctx.signal, quiet: true};
  const soft = (p) => p.then((value) => ({value}), (error) => ({error}));
  const [ready, index, llms, registry, running, queued] = await Promise.all([
    call('GET', '/v2/health/ready', undefined, opts).then(() => true, () => false),
    soft(servingIndex(opts)), languageModels(opts), soft(registryCount()),
    soft(jobs('RUNNING')), soft(jobs('QUEUED'))]);
  const models = groupByModel(index.value ?? []);
  const notReady = models.filter((m) => m.state.state !== 'ready');
  const stat = (label, value, href) => h('div', {class: 'stat'},
    h('div', {class: 'value'}, href ? h('a', {href}, String(value)) : String(value)), h('div', {class: 'label'}, label));
  const traffic = await trafficSection(ctx);
  const audit = session.admin ? await recentAudit() : null;
  if (!ctx.isCurrent()) return; // the user went elsewhere while this loaded
  mount(main,
    pageHeader('Overview'),
    h('div', {class: 'cards'},
      stat('server', ready ? 'ready' : 'not ready'),
      stat('models serving', models.length - notReady.length, '#/models'),
      stat('models not ready', notReady.length, '#/models'),
      stat('language models', llms.size, '#/playground'),
      stat('registry models', registry.error ? '–' : registry.value, '#/models'),
      stat('jobs running', count(running), '#/jobs'),
      stat('jobs queued', count(queued), '#/jobs')),
    h('section', {'aria-labelledby': 'health-h'}, h('h2', {id: 'health-h'}, 'Model health'),
      index.error ? noteFor(index.error, 'The serving index')
        : notReady.length ? table([
          {title: 'Model', cell: (m) => h('a', {href: '#/models/' + seg(m.name)}, m.name)},
          {title: 'State', cell: (m) => stateCell(m.state)},
        ], notReady) : h('p', null, badge('ready'), ' ', models.length ? `All ${models.length} models are ready.` : 'No models are served yet.')),
    traffic,
    h('section', {'aria-labelledby': 'jobs-h'}, h('h2', {id: 'jobs-h'}, 'Running and queued jobs'), jobsTable(running, queued)),
    audit ? h('section', {'aria-labelledby': 'audit-h'}, h('h2', {id: 'audit-h'}, 'Recent audit events'), audit) : null);
}

function groupByModel(index) {
  const by = new Map();
  for (const e of index) (by.get(e.name) ?? by.set(e.name, []).get(e.name)).push(e);
  return [...by].map(([name, entries]) => ({name, state: servingState(entries)}));
}

/** Jobs in one state: the server filters and counts when it pages (X-Total-Count), else the list is filtered here. */
async function jobs(state) {
  const {items, total} = await page('/api/v1/jobs', {state, limit: 20});
  const mine = items.filter((j) => j.state === state);
  return {items: mine, total: total ?? mine.length};
}

/** How many registry models: X-Total-Count of a one-item page, or the whole list from a server that does not page. */
async function registryCount() {
  const {items, total} = await page('/api/v1/models', {limit: 1});
  return total ?? items.length;
}

const count = (r) => (r.error ? '–' : r.value.total);

function jobsTable(running, queued) {
  if (running.error) return noteFor(running.error, 'Jobs');
  const rows = [...running.value.items, ...(queued.value?.items ?? [])];
  return table([
    {title: 'Job', cell: (j) => h('a', {href: '#/jobs/' + seg(j.id)}, 'job ' + j.id)},
    {title: 'State', cell: (j) => badge(j.state)},
    {title: 'Model type', cell: (j) => j.request?.model?.type ?? j.request?.spec?.model?.type ?? '–'},
    {title: 'Dataset', cell: (j) => j.request?.dataset ?? '–'},
    {title: 'Submitted', cell: (j) => fmtTime(j.created)},
    {title: 'By', cell: (j) => j.created_by ?? '–'},
  ], rows, 'No job is running or queued.');
}

async function recentAudit() {
  try {
    const {items} = await page('/api/v1/audit', {limit: 10});
    return h('div', null, auditTable(items.slice(0, 10), 'No audit events yet.'), h('p', null, h('a', {href: '#/audit'}, 'The whole audit log')));
  } catch (e) {
    return noteFor(e, 'The audit log');
  }
}
