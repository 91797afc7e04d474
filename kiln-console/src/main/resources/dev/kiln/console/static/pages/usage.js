// Usage per key, model and UTC day (GET /api/v1/usage: admins see every key, other keys their own): charts of
// requests and tokens per day, today's quotas against their limits, and the rows as a paged table. The filters live
// in the address (#/usage?key=...&model=...&from=...&to=...), so a view can be linked to.
import {h, mount, table, fmtNumber, pageHeader, field, errorBox} from '../dom.js';
import {get, session} from '../api.js';
import {daysBetween, perDay, usageChart, colours} from './keys-usage-chart.js';
import {quotaSection} from './keys-quota.js';

const PAGE = 50;
const today = () => new Date().toISOString().slice(0, 10);
const minusDays = (day, n) => new Date(Date.parse(day + 'T00:00:00Z') - n * 86400e3).toISOString().slice(0, 10);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export default async function render(main, ctx) {
  const to = DATE.test(ctx.query.get('to') ?? '') ? ctx.query.get('to') : today();
  const from = DATE.test(ctx.query.get('from') ?? '') ? ctx.query.get('from') : minusDays(to, 29);
  // Only an admin may ask for a key; any other key reads its own usage (the server refuses another's with 403).
  const filter = {key: session.admin ? ctx.query.get('key') ?? '' : '', model: ctx.query.get('model') ?? '', from, to};

  // Admins get the key list (names for ids, limits for quotas); other keys may not read it.
  const keys = session.admin ? await get('/api/v1/keys', {signal: ctx.signal}).catch(() => []) : [];
  const names = new Map(keys.map((k) => [k.id, k.name]));
  const own = !session.admin ? await ownLimits(ctx.signal) : null;

  const keyControl = session.admin
    ? h('select', {name: 'key'}, h('option', {value: ''}, 'All keys'),
      keys.map((k) => h('option', {value: k.id, selected: k.id === filter.key}, `${k.name || '(no name)'} (${k.id})`)))
    : null;
  const model = h('input', {name: 'model', value: filter.model, placeholder: 'any model', spellcheck: 'false'});
  const fromIn = h('input', {name: 'from', type: 'date', value: filter.from, max: today()});
  const toIn = h('input', {name: 'to', type: 'date', value: filter.to, max: today()});
  const form = h('form', {class: 'filters', 'aria-label': 'Usage filters', onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (keyControl?.value) q.set('key', keyControl.value);
    if (model.value.trim()) q.set('model', model.value.trim());
    if (fromIn.value) q.set('from', fromIn.value);
    if (toIn.value) q.set('to', toIn.value);
    ctx.go('#/usage?' + q);
  }},
  keyControl ? field('Key', keyControl) : null, field('Model', model), field('From', fromIn), field('To', toIn),
  h('button', {type: 'submit'}, 'Show'));

  const content = h('div', {'aria-live': 'polite'}, h('p', {class: 'muted'}, 'Loading usage…'));
  mount(main, pageHeader('Usage'),
    h('p', {class: 'muted'}, session.admin ? 'Requests and tokens per key, model and UTC day, for every key.'
      : 'Requests and tokens per model and UTC day for the key you signed in with.'),
    form, content);

  let rows;
  let todayRows;
  try {
    const q = new URLSearchParams({from: filter.from, to: filter.to});
    if (filter.key) q.set('key', filter.key);
    if (filter.model) q.set('model', filter.model);
    // One after the other: each read first flushes the server's pending counts, and a read running beside a flush
    // may miss what that flush is still writing (seen: today's quota read 0 while the rows read 1).
    rows = await get('/api/v1/usage?' + q, {signal: ctx.signal});
    todayRows = await get('/api/v1/usage?' + new URLSearchParams({from: today(), to: today()}), {signal: ctx.signal});
  } catch (e) {
    if (e.name !== 'AbortError') mount(content, errorBox(e));
    return;
  }
  if (!ctx.isCurrent()) return;

  const days = daysBetween(filter.from, filter.to);
  const requests = perDay(rows, days, 'requests');
  const colourOf = colours(requests.models);
  const charts = [usageChart('Requests per day', 'requests', requests, colourOf)];
  if (rows.some((r) => r.tokens > 0)) charts.push(usageChart('Tokens per day', 'tokens', perDay(rows, days, 'tokens'), colourOf));
  ctx.onCleanup(() => charts.forEach((c) => c.destroy()));

  const totals = rows.reduce((t, r) => ({requests: t.requests + r.requests, errors: t.errors + r.errors,
    tokens: t.tokens + r.tokens}), {requests: 0, errors: 0, tokens: 0});
  const quotaKeys = session.admin ? keys.filter((k) => !filter.key || k.id === filter.key) : own ? [own] : [];
  const tableSlot = h('div');
  mount(content,
    h('div', {class: 'cards'},
      stat('Requests', totals.requests), stat('Errors', totals.errors), stat('Tokens', totals.tokens),
      session.admin ? stat('Keys', new Set(rows.map((r) => r.key_id)).size) : null),
    quotaSection(quotaKeys, todayRows, {admin: session.admin, ownToday: todayRows}),
    h('div', {class: 'cols'}, charts.map((c) => c.el)),
    h('h2', null, session.admin ? 'Per key, model and day' : 'Per model and day'),
    tableSlot);
  charts.forEach((c) => c.draw());

  rows.sort((a, b) => b.day.localeCompare(a.day) || a.key_id.localeCompare(b.key_id) || a.model.localeCompare(b.model));
  const keyLabel = (id) => (names.get(id) ? h('span', null, names.get(id), ' ', h('code', {class: 'muted'}, id)) : h('code', null, id));
  const columns = [
    {title: 'Day', cell: (r) => r.day},
    {title: 'Key', cell: (r) => (session.admin ? h('a', {href: '#/usage?key=' + encodeURIComponent(r.key_id)}, keyLabel(r.key_id)) : keyLabel(r.key_id))},
    {title: 'Model', cell: (r) => r.model},
    {title: 'Requests', class: 'num', cell: (r) => fmtNumber(r.requests)},
    {title: 'Errors', class: 'num', cell: (r) => fmtNumber(r.errors)},
    {title: 'Rows', class: 'num', cell: (r) => fmtNumber(r.rows)},
    {title: 'Tokens', class: 'num', cell: (r) => fmtNumber(r.tokens)},
    {title: 'Mean latency', class: 'num', cell: (r) => (r.requests && r.latency_micros !== undefined
      ? fmtNumber(r.latency_micros / r.requests / 1000, 3) + ' ms' : '–')},
  ];
  let offset = 0;
  const draw = () => {
    const pageRows = rows.slice(offset, offset + PAGE);
    mount(tableSlot, table(columns, pageRows, 'No usage in this period.'),
      rows.length > PAGE ? h('nav', {class: 'pager', 'aria-label': 'Usage pages'},
        h('button', {type: 'button', class: 'secondary', disabled: offset === 0, onclick: () => { offset -= PAGE; draw(); }}, 'Previous'),
        h('span', null, `${offset + 1}–${offset + pageRows.length} of ${rows.length}`),
        h('button', {type: 'button', class: 'secondary', disabled: offset + PAGE >= rows.length,
          onclick: () => { offset += PAGE; draw(); }}, 'Next')) : null);
  };
  draw();
}

function stat(label, value) {
  return h('div', {class: 'stat'}, h('div', {class: 'value'}, fmtNumber(value)), h('div', {class: 'label'}, label));
}

/** The signed-in key's limits when the session answer carries them (feature-detected); else null. */
async function ownLimits(signal) {
  try {
    const s = await get('/api/v1/session', {signal, quiet: true});
    if (!s.limits && !s.model_limits) return null;
    return {id: s.key_id ?? s.id, name: s.name, limits: s.limits, model_limits: s.model_limits};
  } catch {
    return null;
  }
}
