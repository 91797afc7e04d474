// One model: its versions (registry state, serving state, checksum, size, the job it came from), aliases (move with
// a confirmation naming old and new version, add, remove), archive, the model card (shown as text) and its audit.
import {h, mount, pageHeader, table, badge, fmtTime, field, toast, confirmDialog, errorBox} from '../dom.js';
import {get, put, post, del, seg, session} from '../api.js';
import {servingIndex, languageModels, servingState, stateCell, fmtBytes, shortSha, metadataOf, modelAudit, auditTable,
  cardView, noteFor, loadModel, unloadModel} from './models-lib.js';

export default async function render(main, ctx) {
  const name = ctx.params.name;
  const [index, llms, record] = await Promise.all([
    servingIndex({signal: ctx.signal}).then((all) => all.filter((e) => e.name === name)),
    languageModels({signal: ctx.signal}),
    get('/api/v1/models/' + seg(name), {signal: ctx.signal, quiet: true}).catch((e) => {
      if (e.status === 404 || e.status === 403) return null;
      throw e;
    })]);
  if (!record && !index.length) {
    throw new Error(`No model named "${name}" that this key may see.`);
  }
  const reload = () => ctx.go(location.hash);
  const served = servingState(index);
  const header = pageHeader(name,
    h('a', {href: '#/playground/' + seg(name)}, 'Try it'),
    record ? archiveButton(name, record, reload) : null,
    record?.archived ? null : servingButton(name, served, reload));
  const audit = await auditSection(name);
  if (!ctx.isCurrent()) return; // the user went elsewhere while this loaded
  mount(main, header,
    h('p', null, 'State: ', record?.archived ? badge('archived') : stateCell(served), ' · ',
      llms.has(name) ? 'language model' : 'tensor model', ' · ',
      record ? 'in the registry, created ' + fmtTime(record.created) + ' by ' + (record.created_by || '–') : 'served from the model folder (not in the registry)'),
    h('h2', null, 'Versions'),
    versionsTable(name, record, index),
    record ? aliasesSection(name, record, reload) : null,
    record ? cardSection(name, record, reload) : null,
    h('h2', null, 'Recent changes'),
    audit);
}

function archiveButton(name, record, reload) {
  const archived = record.archived;
  return h('button', {type: 'button', class: archived ? 'secondary' : 'danger', onclick: async () => {
    const msg = archived ? `Unarchive ${name}? It is served again.` : `Archive ${name}? It stops serving; its versions are kept.`;
    if (!(await confirmDialog(msg, archived ? 'Unarchive' : 'Archive'))) return;
    try {
      await post('/api/v1/models/' + seg(name) + (archived ? '/unarchive' : '/archive'), {});
      toast(name + (archived ? ' unarchived' : ' archived'));
      reload();
    } catch (e) {
      toast(e.message, 'error');
    }
  }}, archived ? 'Unarchive' : 'Archive');
}

function servingButton(name, served, reload) {
  const ready = served.state === 'ready';
  return h('button', {type: 'button', class: 'secondary', onclick: async () => {
    if (ready && !(await confirmDialog(`Unload ${name}? Calls to it fail until it is loaded again.`, 'Unload'))) return;
    try {
      await (ready ? unloadModel(name) : loadModel(name));
      toast(name + (ready ? ' unloaded' : ' loaded'));
      reload();
    } catch (e) {
      toast(e.message, 'error');
    }
  }}, ready ? 'Unload' : 'Load');
}

function versionsTable(name, record, index) {
  const serving = new Map(index.map((e) => [String(e.version), e]));
  const rows = record ? [...(record.versions ?? [])].sort((a, b) => b.version - a.version)
    : index.map((e) => ({version: e.version})).sort((a, b) => b.version - a.version);
  const aliases = Object.entries(record?.aliases ?? {});
  return table([
    {title: 'Version', cell: (v) => h('a', {href: `#/models/${seg(name)}/versions/${seg(v.version)}`}, 'v' + v.version)},
    {title: 'Aliases', cell: (v) => aliases.filter(([, n]) => n === v.version).map(([a]) => a).join(', ') || '–'},
    {title: 'Registry', cell: (v) => (v.state ? badge(v.state) : '–')},
    {title: 'Serving', cell: (v) => {
      const e = serving.get(String(v.version));
      return e ? stateCell(servingState([e])) : h('span', {class: 'muted'}, 'not served');
    }},
    {title: 'Checksum (SHA-256)', cell: (v) => shortSha(v.sha256)},
    {title: 'Size', class: 'num', cell: (v) => fmtBytes(v.size_bytes)},
    {title: 'Created', cell: (v) => fmtTime(v.created)},
    {title: 'From', cell: (v) => from(v)},
  ], rows, 'No versions.');
}

function from(v) {
  const job = metadataOf(v).job;
  if (job !== undefined && job !== null) return h('a', {href: '#/jobs/' + seg(job)}, 'job ' + job);
  return v.source || '–';
}

function aliasesSection(name, record, reload) {
  const versions = (record.versions ?? []).map((v) => v.version).sort((a, b) => b - a);
  const picker = (selected, label) => field(label, h('select', null,
    versions.map((v) => h('option', {value: String(v), selected: v === selected}, 'v' + v))));
  const rows = Object.entries(record.aliases ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const move = (alias, from) => {
    const f = picker(from, `Move ${alias} to`);
    const select = f.querySelector('select');
    return h('form', {class: 'inline', onsubmit: async (e) => {
      e.preventDefault();
      const to = Number(select.value);
      if (to === from) return toast(`${alias} already names v${from}`);
      if (!(await confirmDialog(`Move alias ${alias} of ${name} from v${from} to v${to}? Calls to ${name}@${alias} reach v${to} at once.`, 'Move alias'))) return;
      await setAlias(name, alias, to, reload);
    }}, f, h('button', {type: 'submit', class: 'secondary'}, 'Move'),
    h('button', {type: 'button', class: 'link', 'aria-label': 'Remove alias ' + alias, onclick: async () => {
      if (!(await confirmDialog(`Remove alias ${alias} of ${name} (now v${from})? Calls to ${name}@${alias} fail.`, 'Remove'))) return;
      try {
        await del('/api/v1/models/' + seg(name) + '/aliases/' + seg(alias));
        toast(`alias ${alias} removed`);
        reload();
      } catch (err) {
        toast(err.message, 'error');
      }
    }}, 'Remove'));
  };
  const newName = h('input', {name: 'alias', required: true, pattern: '[A-Za-z][A-Za-z0-9_\\-]{0,31}', autocomplete: 'off'});
  const newVersion = picker(versions[0], 'Version');
  const add = h('form', {class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    await setAlias(name, newName.value.trim(), Number(newVersion.querySelector('select').value), reload);
  }}, field('New alias', newName, 'letters, digits, _ and -'), newVersion, h('button', {type: 'submit'}, 'Add alias'));
  return h('section', {'aria-labelledby': 'aliases-h'},
    h('h2', {id: 'aliases-h'}, 'Aliases'),
    table([
      {title: 'Alias', cell: ([a]) => h('code', null, name + '@' + a)},
      {title: 'Version', cell: ([, v]) => 'v' + v},
      {title: 'Change', cell: ([a, v]) => move(a, v)},
    ], rows, 'No aliases.'),
    versions.length ? h('div', {class: 'section-actions'}, add) : null);
}

async function setAlias(name, alias, version, reload) {
  try {
    await put('/api/v1/models/' + seg(name) + '/aliases/' + seg(alias), {version});
    toast(`${alias} → v${version}`);
    reload();
  } catch (e) {
    toast(e.message, 'error');
  }
}

function cardSection(name, record, reload) {
  const view = h('div', null, cardView(record.card));
  const edit = h('button', {type: 'button', class: 'secondary', onclick: () => {
    const text = h('textarea', {name: 'card', rows: 14, maxlength: 100000}, record.card ?? '');
    const status = h('div');
    mount(view, h('form', {onsubmit: async (e) => {
      e.preventDefault();
      try {
        await put('/api/v1/models/' + seg(name) + '/card', text.value, {headers: {'Content-Type': 'text/markdown'}});
        toast('model card saved');
        reload();
      } catch (err) {
        mount(status, errorBox(err));
      }
    }}, field('Model card (Markdown)', text), status,
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Save card'),
      h('button', {type: 'button', class: 'secondary', onclick: () => mount(view, cardView(record.card))}, 'Cancel'))));
    text.focus();
  }}, 'Edit card');
  return h('section', {'aria-labelledby': 'card-h'},
    h('div', {class: 'page-header'}, h('h2', {id: 'card-h'}, 'Model card'), h('div', {class: 'actions'}, edit)),
    h('div', {class: 'card'}, view));
}

export async function auditSection(name) {
  if (!session.admin) return h('p', {class: 'muted'}, 'The audit log needs an admin key.');
  try {
    const rows = await modelAudit(name, 100); // more than shown: the prefix also matches longer names
    return h('div', null, auditTable(rows.slice(0, 20), 'No changes recorded.'),
      h('p', null, h('a', {href: '#/audit?target=' + encodeURIComponent('model:' + name)}, 'All audit entries for ' + name)));
  } catch (e) {
    return noteFor(e, 'The audit log');
  }
}
