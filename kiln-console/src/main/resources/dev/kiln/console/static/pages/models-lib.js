// Shared pieces of the model pages (overview, models, model, version, audit): what the serving side and the registry
// say about models, the model card as text, the audit table and a pager. Everything from the server goes in as text.
import {h, table, badge, fmtTime, safeHref} from '../dom.js';
import {call, get, page, post, seg} from '../api.js';

/** The serving repository index: [{name, version, state, reason?}] for the models this key may see. */
export async function servingIndex(opts) {
  const body = (await call('POST', '/v2/repository/index', {}, opts)).body;
  return Array.isArray(body) ? body : [];
}

/** Names of the language models (OpenAI's /v1/models); empty when the key or server has none. */
export async function languageModels(opts) {
  try {
    const body = await get('/v1/models', opts);
    return new Set((body?.data ?? []).map((m) => m.id));
  } catch {
    return new Set();
  }
}

/**
 * Every registry model this key may manage. A server that pages (X-Total-Count) is walked a thousand at a time and
 * filtered by q on its side; an older one answers the whole list at once.
 */
export async function registryModels(q) {
  const all = [];
  for (let offset = 0; ; ) {
    const {items, total} = await page('/api/v1/models', {q, limit: 1000, offset: offset || null});
    all.push(...items);
    offset += items.length;
    if (total === null || !items.length || offset >= total) return all;
  }
}

/** The serving state of one model: its best version's state word and the reason when it is not ready. */
export function servingState(entries) {
  if (!entries.length) return {state: 'not served', reason: ''};
  const ready = entries.find((e) => String(e.state).toUpperCase() === 'READY');
  const e = ready ?? entries.find((x) => x.reason) ?? entries[0];
  const state = String(e.state).toLowerCase();
  if (state !== 'unavailable' || !e.reason) return {state, reason: e.reason ?? ''};
  // The index says UNAVAILABLE both for a model someone unloaded and for one whose load failed; the reason tells.
  return /^unloaded$/i.test(e.reason) ? {state: 'unloaded', reason: ''} : {state: 'failed', reason: e.reason};
}

/** A state badge with the reason beside it (a failed load says why). */
export function stateCell({state, reason}) {
  return h('span', null, badge(state), reason ? h('span', {class: 'muted reason'}, ' ' + reason) : null);
}

/** Loads or unloads a served model through the repository API. */
export const loadModel = (name) => post('/v2/repository/models/' + seg(name) + '/load', {});
export const unloadModel = (name) => post('/v2/repository/models/' + seg(name) + '/unload', {});

export function fmtBytes(n) {
  if (typeof n !== 'number') return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : String(n)) + ' ' + units[i];
}

/** A checksum shortened for a table, the whole of it in the title. */
export function shortSha(sha) {
  if (!sha) return '–';
  return h('code', {title: sha}, String(sha).slice(0, 12) + '…');
}

/** A version's metadata (a JSON string or object): {job, lineage, evaluation} for a trained model. */
export function metadataOf(version) {
  let m = version?.metadata ?? {};
  if (typeof m === 'string') {
    try { m = JSON.parse(m); } catch { m = {}; }
  }
  return m && typeof m === 'object' ? m : {};
}

/** Audit entries about one model (its record, versions and aliases); empty with a note for a non-admin key. */
export async function modelAudit(name, limit = 50) {
  const prefix = 'model:' + name;
  const rows = await get('/api/v1/audit?' + new URLSearchParams({target: prefix, limit: String(limit)}));
  // The server filters by prefix, so model:ab also matches model:abc; keep this model's own targets.
  return (Array.isArray(rows) ? rows : rows?.items ?? []).filter((e) => e.target === prefix ||
    e.target?.startsWith(prefix + '/') || e.target?.startsWith(prefix + '@'));
}

/** Audit rows as a table; targets that name a model link to its page. */
export function auditTable(rows, empty = 'No audit entries.') {
  return table([
    {title: 'When', class: 'nowrap', cell: (e) => fmtTime(e.at)},
    {title: 'Actor', cell: (e) => e.actor || '–'},
    {title: 'Action', cell: (e) => h('code', null, e.action)},
    {title: 'Target', class: 'wrap', cell: (e) => targetLink(e.target)},
    {title: 'Outcome', cell: (e) => badge(e.outcome || 'unknown')},
    {title: 'Detail', class: 'wrap', cell: (e) => e.detail || ''},
    {title: 'From', cell: (e) => e.source || '–'},
  ], rows, empty);
}

/** A target that names a model, job or dataset links to its page; keys and others stay text. */
function targetLink(target) {
  const t = target ?? '';
  const model = /^model:([^/@]+)(?:\/(\d+))?/.exec(t);
  if (model) return h('a', {href: '#/models/' + seg(model[1]) + (model[2] ? '/versions/' + model[2] : '')}, t);
  const job = /^job:(\d+)$/.exec(t);
  if (job) return h('a', {href: '#/jobs/' + job[1]}, t);
  const dataset = /^dataset:([^/@]+)/.exec(t);
  if (dataset) return h('a', {href: '#/datasets/' + seg(dataset[1])}, t);
  return t || '–';
}

/** Previous/next buttons and "a–b of n" for offset paging; onPage(offset) fetches. */
export function pager({offset, limit, shown, total}, onPage) {
  const end = offset + shown;
  const more = total === null || total === undefined ? shown === limit : end < total;
  return h('nav', {class: 'pager', 'aria-label': 'Pages'},
    h('button', {type: 'button', class: 'secondary', disabled: offset === 0, onclick: () => onPage(Math.max(0, offset - limit))}, 'Previous'),
    h('span', {class: 'muted'}, shown ? `${offset + 1}–${end}` + (total === null || total === undefined ? '' : ` of ${total}`) : 'none'),
    h('button', {type: 'button', class: 'secondary', disabled: !more, onclick: () => onPage(offset + limit)}, 'Next'));
}

/**
 * A model card rendered safely: Markdown's headings, paragraphs, lists, code blocks, inline code and links become
 * elements built by h(), everything else stays text. A link whose target is not http(s), mailto or a console route is
 * shown as text, not as a link.
 */
export function cardView(markdown) {
  const out = h('div', {class: 'model-card'});
  const lines = String(markdown ?? '').replace(/\r\n?/g, '\n').split('\n');
  let list = null;
  let para = [];
  const flush = () => {
    if (para.length) out.append(h('p', null, inline(para.join(' '))));
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^```/.test(line)) {
      flush(); list = null;
      const code = [];
      while (++i < lines.length && !/^```/.test(lines[i])) code.push(lines[i]);
      out.append(h('pre', null, code.join('\n')));
      continue;
    }
    const head = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (head) {
      flush(); list = null;
      // Card headings sit under the page's own h2, so they start at h3.
      out.append(h('h' + Math.min(6, head[1].length + 2), null, inline(head[2])));
    } else if (item) {
      flush();
      if (!list) out.append(list = h(/^\s*\d/.test(line) ? 'ol' : 'ul'));
      list.append(h('li', null, inline(item[1])));
    } else if (!line.trim()) {
      flush(); list = null;
    } else {
      list = null;
      para.push(line.trim());
    }
  }
  flush();
  if (!out.childNodes.length) out.append(h('p', {class: 'muted'}, 'No model card yet.'));
  return out;
}

function inline(text) {
  const parts = [];
  const re = /`([^`]+)`|\[([^\]]*)\]\(([^)\s]*)\)/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    if (m[1] !== undefined) parts.push(h('code', null, m[1]));
    else if (safeHref(m[3]) === m[3].trim() && m[3].trim() !== '') {
      parts.push(h('a', {href: m[3], rel: 'noopener noreferrer nofollow'}, m[2] || m[3]));
    } else parts.push(h('span', {class: 'unsafe-link', title: 'link removed: ' + m[3]}, m[2] + ' (link removed)'));
    last = re.lastIndex;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** What a refusal means for this key (403), a missing API (404), else the error itself. */
export function noteFor(err, what) {
  if (err?.status === 403) return h('p', {class: 'muted'}, what + ': this key may not see it.');
  if (err?.status === 404) return h('p', {class: 'muted'}, what + ': not available on this server.');
  return h('p', {class: 'error', role: 'alert'}, what + ': ' + (err?.message ?? String(err)));
}
