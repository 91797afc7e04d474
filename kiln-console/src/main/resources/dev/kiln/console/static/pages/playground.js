// The playground: #/playground lists the models this key may call; #/playground/:model tries one. A tensor model
// gets a form built from its signature (playground-tensor.js), a language model a streaming chat
// (playground-chat.js); both show the same call as curl, Python and (language models) OpenAI SDK snippets.
import {h, mount, pageHeader, table, badge, errorBox, field} from '../dom.js';
import {get, post, seg} from '../api.js';
import tensorPlayground from './playground-tensor.js';
import chatPlayground from './playground-chat.js';

export default async function render(main, ctx) {
  if (ctx.params.model) return renderModel(main, ctx, ctx.params.model);
  mount(main, pageHeader('Playground'), h('p', {class: 'muted'}, 'Loading models…'));
  const models = await callableModels(ctx.signal);
  if (!ctx.isCurrent()) return;
  const rows = [...models.values()].sort((a, b) => a.name.localeCompare(b.name));
  const list = h('div');
  const filter = h('input', {type: 'search', autocomplete: 'off', value: ctx.query.get('q') ?? ''});
  const show = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = q ? rows.filter((m) => m.name.toLowerCase().includes(q)) : rows;
    mount(list, h('p', {class: 'muted', 'aria-live': 'polite'}, `${shown.length} of ${rows.length} models`),
      modelTable(shown.slice(0, LIMIT)),
      shown.length > LIMIT ? h('p', {class: 'muted'}, `The first ${LIMIT} shown: narrow the filter.`) : null);
  };
  filter.addEventListener('input', show);
  show();
  mount(main, pageHeader('Playground'),
    h('p', {class: 'muted'}, 'Pick a model to call it from the browser: tensor models get a form built from their ' +
      'signature, language models a streaming chat.'),
    h('div', {class: 'filters'}, field('Filter by name', filter)), list);
}

const LIMIT = 200;

function modelTable(rows) {
  return table([
    {title: 'Model', cell: (m) => (m.state === 'READY' ? h('a', {href: '#/playground/' + seg(m.name)}, m.name) : m.name)},
    {title: 'Kind', cell: (m) => (m.kind === 'llm' ? 'language model' : 'tensor model')},
    {title: 'Version', cell: (m) => m.version ?? '–'},
    {title: 'State', cell: (m) => [badge(m.state), m.reason ? h('span', {class: 'muted'}, ' ' + m.reason) : null]},
  ], rows, 'No model this key may call.');
}

/**
 * The models to offer: the repository index (with states, when the key may list it), plus the ready tensor models
 * (GET /v2/models) and the language models (GET /v1/models), which any key sees for the models it may call.
 */
async function callableModels(signal) {
  const out = new Map();
  const [index, tensors, llms] = await Promise.allSettled([
    post('/v2/repository/index', {}, {signal, quiet: true}),
    get('/v2/models', {signal, quiet: true}),
    get('/v1/models', {signal, quiet: true}),
  ]);
  const llmIds = new Set(llms.status === 'fulfilled' ? (llms.value?.data ?? []).map((m) => m.id) : []);
  if (index.status === 'fulfilled' && Array.isArray(index.value)) {
    for (const m of index.value) {
      const prev = out.get(m.name);
      // The index lists each version; keep the ready one, else the newest.
      if (prev && prev.state === 'READY' && m.state !== 'READY') continue;
      out.set(m.name, {name: m.name, version: m.version ?? null, state: m.state ?? 'UNKNOWN', reason: m.reason ?? null,
        kind: llmIds.has(m.name) ? 'llm' : 'tensor'});
    }
  }
  if (tensors.status === 'fulfilled') {
    for (const name of tensors.value?.models ?? []) {
      if (!out.has(name)) out.set(name, {name, version: null, state: 'READY', reason: null, kind: 'tensor'});
    }
  }
  for (const id of llmIds) {
    if (!out.has(id)) out.set(id, {name: id, version: null, state: 'READY', reason: null, kind: 'llm'});
  }
  if (!out.size) {
    const refused = [index, tensors, llms].find((r) => r.status === 'rejected' && r.reason?.status !== 403);
    if (refused) throw refused.reason;
  }
  return out;
}

async function renderModel(main, ctx, name) {
  mount(main, pageHeader(name), h('p', {class: 'muted'}, 'Loading the model…'));
  const version = ctx.query.get('version');
  const back = h('a', {href: '#/playground'}, 'All models');
  const path = '/v2/models/' + seg(name) + (version ? '/versions/' + seg(version) : '');
  let meta;
  try {
    meta = await get(path, {signal: ctx.signal, quiet: true});
  } catch (e) {
    // A key that may call a language model but not read OIP metadata still reaches it over /v1.
    const llm = await get('/v1/models/' + seg(name), {signal: ctx.signal, quiet: true}).catch(() => null);
    if (!ctx.isCurrent()) return;
    if (llm) return chatPlayground(main, ctx, {name, back});
    mount(main, pageHeader(name, back), errorBox(e));
    return;
  }
  if (!ctx.isCurrent()) return;
  if (meta?.platform === 'llama.cpp') return chatPlayground(main, ctx, {name, back});
  return tensorPlayground(main, ctx, {name, version, meta, back});
}
