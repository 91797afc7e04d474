// The audit log (admin): who did what to which model or key, when, from where, newest first. Actor, action, target
// and the time range filter on the server; pages use limit/offset when the server pages (X-Total-Count), else a
// growing limit. Outcome and source address filter the rows shown.
import {h, mount, pageHeader, field, errorBox} from '../dom.js';
import {page} from '../api.js';
import {auditTable, pager} from './models-lib.js';

const PAGE = 50;
const FIELDS = [
  ['actor', 'Actor (key id or name)'],
  ['action', 'Action', 'e.g. model.alias'],
  ['target', 'Target starts with', 'model:name or key:id'],
  ['outcome', 'Outcome', 'ok, failed, denied'],
  ['source', 'Source address'],
];

export default async function render(main, ctx) {
  const inputs = {};
  const controls = FIELDS.map(([k, label, hint]) => {
    inputs[k] = h('input', {name: k, value: ctx.query.get(k) || '', autocomplete: 'off'});
    return field(label, inputs[k], hint);
  });
  for (const k of ['from', 'to']) inputs[k] = h('input', {type: 'datetime-local', name: k, value: ctx.query.get(k) || ''});
  const body = h('div', {'aria-live': 'polite'}, h('p', {class: 'muted'}, 'Loading…'));
  let offset = 0;
  let loads = 0; // a slower earlier answer must not replace a newer one
  const form = h('form', {class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); offset = 0; load(); }},
    controls, field('From (UTC)', inputs.from), field('To (UTC)', inputs.to),
    h('button', {type: 'submit'}, 'Filter'));
  mount(main, pageHeader('Audit'), form, body);

  async function load() {
    const mine = ++loads;
    const v = (k) => inputs[k].value.trim();
    const iso = (k) => (v(k) ? new Date(v(k) + 'Z').toISOString() : null);
    const local = (e) => (!v('outcome') || e.outcome === v('outcome')) && (!v('source') || (e.source ?? '').includes(v('source')));
    try {
      let from, to;
      try { from = iso('from'); to = iso('to'); } catch { throw new Error('From and To must be dates.'); }
      const params = {actor: v('actor'), action: v('action'), target: v('target'), from, to};
      // A server that pages answers X-Total-Count for limit/offset; an older one takes only limit, so ask for more.
      let res = await page('/api/v1/audit', {...params, limit: PAGE, offset: offset || null});
      let paged = res.total !== null;
      if (!paged && offset) res = await page('/api/v1/audit', {...params, limit: offset + PAGE});
      if (!ctx.isCurrent() || mine !== loads) return;
      const items = paged ? res.items : res.items.slice(offset, offset + PAGE);
      const rows = items.filter(local);
      mount(body,
        v('outcome') || v('source') ? h('p', {class: 'muted'}, `${rows.length} of ${items.length} entries on this page match the outcome and source filters.`) : null,
        auditTable(rows, 'No audit entries match.'),
        pager({offset, limit: PAGE, shown: items.length, total: res.total}, (o) => { offset = o; load(); }));
    } catch (e) {
      if (ctx.isCurrent() && mine === loads) mount(body, errorBox(e));
    }
  }
  await load();
}
