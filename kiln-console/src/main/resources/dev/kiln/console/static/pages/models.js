// Models: one table of what is served (the repository index, with each failed load's reason) and what the registry
// holds (versions, aliases, archived), language models too; a filter, pages, and load/unload per row.
import {h, mount, pageHeader, table, field, toast, confirmDialog, errorBox} from '../dom.js';
import {get, seg} from '../api.js';
import {servingIndex, languageModels, registryModels, servingState, stateCell, loadModel, unloadModel, pager} from './models-lib.js';

const PAGE = 50;

export default async function render(main, ctx) {
  let offset = Number(ctx.query.get('offset')) || 0;
  const filter = h('input', {type: 'search', name: 'q', value: ctx.query.get('q') || '', autocomplete: 'off'});
  const body = h('div', {'aria-live': 'polite'}, h('p', {class: 'muted'}, 'Loading…'));
  const form = h('form', {class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); offset = 0; load(); }},
    field('Filter by name', filter), h('button', {type: 'submit', class: 'secondary'}, 'Filter'));
  mount(main, pageHeader('Models', h('a', {href: '#/playground'}, 'Playground')), form, body);

  let loads = 0; // a slower earlier answer must not replace a newer one
  async function load() {
    const mine = ++loads;
    const q = filter.value.trim();
    try {
      const [index, llms, registry] = await Promise.all([
        servingIndex({signal: ctx.signal}), languageModels({signal: ctx.signal}),
        registryModels(q).catch((e) => (e.status === 403 || e.status === 404 ? [] : Promise.reject(e)))]);
      if (!ctx.isCurrent() || mine !== loads) return;
      const rows = merge(index, registry, llms).filter((r) => !q || r.name.toLowerCase().includes(q.toLowerCase()));
      const shown = rows.slice(offset, offset + PAGE);
      mount(body,
        table(columns(load), shown, q ? 'No model matches that filter.' : 'No models yet.'),
        pager({offset, limit: PAGE, shown: shown.length, total: rows.length}, (o) => { offset = o; load(); }));
      details(shown.filter((r) => r.registry && r.versions === null), ctx);
    } catch (e) {
      if (ctx.isCurrent() && mine === loads) mount(body, errorBox(e));
    }
  }
  await load();
}

/** One row per model name: serving entries from the index, the registry record, and whether it is a language model. */
function merge(index, registry, llms) {
  const byName = new Map();
  const row = (name) => byName.get(name) ?? byName.set(name, {name, serving: [], registry: null, versions: null,
    aliases: null, cells: {}}).get(name);
  for (const e of index) row(e.name).serving.push(e);
  for (const m of registry) {
    const r = row(m.name);
    r.registry = m;
    if (typeof m.version_count === 'number') r.versions = m.version_count;
    if (m.aliases && typeof m.aliases === 'object') r.aliases = m.aliases;
  }
  for (const r of byName.values()) {
    r.llm = llms.has(r.name);
    if (r.versions === null && !r.registry) r.versions = new Set(r.serving.map((e) => e.version)).size;
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function columns(reload) {
  return [
    {title: 'Model', cell: (r) => h('a', {href: '#/models/' + seg(r.name)}, r.name)},
    {title: 'Kind', cell: (r) => (r.llm ? 'language' : 'tensor')},
    {title: 'State', cell: (r) => stateCell(r.registry?.archived ? {state: 'archived', reason: ''} : servingState(r.serving))},
    {title: 'Versions', class: 'num', cell: (r) => (r.cells.versions = h('span', null, r.versions ?? '…'))},
    {title: 'Aliases', cell: (r) => (r.cells.aliases = h('span', null, aliasText(r)))},
    {title: 'Source', cell: (r) => (r.registry ? 'registry' : 'model folder')},
    {title: 'Actions', cell: (r) => actions(r, reload)},
  ];
}

function aliasText(r) {
  if (!r.registry) return '–';
  if (!r.aliases) return '…';
  const names = Object.entries(r.aliases).map(([a, v]) => a + ' → v' + v);
  return names.length ? names.join(', ') : '–';
}

function actions(r, reload) {
  const served = r.serving.some((e) => String(e.state).toUpperCase() === 'READY');
  const run = async (btn, verb, fn) => {
    btn.disabled = true;
    try {
      await fn(r.name);
      toast(`${r.name}: ${verb}`);
      reload();
    } catch (e) {
      btn.disabled = false;
      toast(`${r.name}: ${e.message}`, 'error');
    }
  };
  if (r.registry?.archived) return h('span', {class: 'muted'}, 'archived');
  if (served) {
    const b = h('button', {type: 'button', class: 'secondary', 'aria-label': 'Unload ' + r.name, onclick: async () => {
      if (await confirmDialog(`Unload ${r.name}? Calls to it fail until it is loaded again.`, 'Unload')) run(b, 'unloaded', unloadModel);
    }}, 'Unload');
    return b;
  }
  const b = h('button', {type: 'button', class: 'secondary', 'aria-label': 'Load ' + r.name, onclick: () => run(b, 'loaded', loadModel)}, 'Load');
  return b;
}

/** Fills the versions and aliases of registry rows from their records, for a server whose list does not carry them. */
async function details(rows, ctx) {
  for (const r of rows) {
    if (!ctx.isCurrent()) return;
    try {
      const m = await get('/api/v1/models/' + seg(r.name), {signal: ctx.signal});
      r.versions = (m.versions ?? []).length;
      r.aliases = m.aliases ?? {};
    } catch {
      r.versions = '?';
      r.aliases = {};
    }
    mount(r.cells.versions, r.versions);
    mount(r.cells.aliases, aliasText(r));
  }
}
