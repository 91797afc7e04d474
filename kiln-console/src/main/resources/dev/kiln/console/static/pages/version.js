// One model version: its signature (inputs and outputs), checksum and size, lineage drawn as a chain (dataset
// version and checksum → training job → exported model checksum), the job's test metrics and column importance, the
// card and the audit.
import {h, mount, pageHeader, table, badge, fmtNumber, fmtTime} from '../dom.js';
import {get, seg} from '../api.js';
import {fmtBytes, shortSha, metadataOf, cardView, noteFor} from './models-lib.js';
import {auditSection} from './model.js';
import {permutationImportance} from './training-eval.js';

export default async function render(main, ctx) {
  const {name, version} = ctx.params;
  const opts = {signal: ctx.signal, quiet: true};
  const optional = (p) => p.catch((e) => (e.status === 404 || e.status === 403 ? null : Promise.reject(e)));
  const [signature, record, model] = await Promise.all([
    get(`/v2/models/${seg(name)}/versions/${seg(version)}`, opts).catch((e) => ({error: e})),
    optional(get(`/api/v1/models/${seg(name)}/versions/${seg(version)}`, opts)),
    optional(get(`/api/v1/models/${seg(name)}`, opts))]);
  if (!record && signature.error) throw signature.error;
  const meta = metadataOf(record);
  const jobId = meta.job ?? null;
  const job = jobId === null ? null : await get('/api/v1/jobs/' + seg(jobId), opts).catch((e) => ({error: e}));
  const aliases = Object.entries(model?.aliases ?? {}).filter(([, v]) => String(v) === String(version)).map(([a]) => a);

  const audit = await auditSection(name);
  if (!ctx.isCurrent()) return; // the user went elsewhere while this loaded
  mount(main,
    h('p', {class: 'muted'}, h('a', {href: '#/models'}, 'Models'), ' / ', h('a', {href: '#/models/' + seg(name)}, name)),
    pageHeader(`${name} v${version}`, h('a', {href: '#/playground/' + seg(name)}, 'Try it'),
      h('a', {href: '#/scoring/new?model=' + seg(name + ':' + version)}, 'Score a dataset')),
    facts(record, aliases),
    h('h2', null, 'Signature'),
    signature.error?.status === 404 || signature.error?.status === 503
      ? h('p', {class: 'muted'}, 'No signature: this version is not being served now (unloaded, archived or failed to load).')
      : signature.error ? noteFor(signature.error, 'The signature') : signatureView(signature),
    h('h2', null, 'Lineage'),
    lineage(record, meta, job),
    h('h2', null, 'Metrics'),
    metrics(meta, job),
    importance(meta, job),
    model ? [h('h2', null, 'Model card'), h('div', {class: 'card'}, cardView(model.card))] : null,
    h('h2', null, 'Who changed what'),
    audit);
}

function facts(record, aliases) {
  if (!record) return h('p', {class: 'muted'}, 'Served from the model folder; the registry has no record of it.');
  const stat = (label, value) => h('div', {class: 'stat'}, h('div', {class: 'value'}, value), h('div', {class: 'label'}, label));
  return h('div', null,
    h('div', {class: 'cards'},
      stat('state', badge(record.state)),
      stat('size', fmtBytes(record.size_bytes)),
      stat('created by', record.created_by || '–'),
      stat('aliases', aliases.join(', ') || '–')),
    h('p', null, 'SHA-256 ', h('code', {class: 'sha'}, record.sha256 || '–'), ' · pushed ', fmtTime(record.created),
      ' · source ', record.source || '–', ' · format ', record.format || '–'));
}

function signatureView(sig) {
  const rows = [...(sig.inputs ?? []).map((t) => ({...t, dir: 'input'})), ...(sig.outputs ?? []).map((t) => ({...t, dir: 'output'}))];
  return h('div', null,
    h('p', {class: 'muted'}, 'Platform ', sig.platform || '–'),
    table([
      {title: 'Tensor', cell: (t) => h('code', null, t.name)},
      {title: 'Direction', cell: (t) => t.dir},
      {title: 'Datatype', cell: (t) => t.datatype},
      {title: 'Shape', cell: (t) => '[' + (t.shape ?? []).map((d) => (d < 0 ? '?' : d)).join(', ') + ']'},
    ], rows, /llama|gguf/i.test(sig.platform ?? '')
      ? 'A language model: it takes chat messages through the OpenAI API (/v1/chat/completions), not tensors.'
      : 'No tensors listed.'));
}

/** The chain dataset@version (checksum) → job → exported model (checksum) → this version (checksum). */
function lineage(record, meta, job) {
  const lin = meta.lineage ?? (job && !job.error ? job.lineage : null) ?? {};
  const ds = lin.dataset;
  const exported = lin.artifact_sha256 ?? lin.artifactSha256;
  const links = [];
  if (ds) {
    links.push(h('li', null, h('span', {class: 'muted'}, 'dataset '),
      h('a', {href: '#/datasets/' + seg(ds.name)}, `${ds.name}@${ds.version}`), ' ', shortSha(ds.sha256)));
  }
  if (meta.job !== undefined && meta.job !== null) {
    links.push(h('li', null, h('span', {class: 'muted'}, 'training job '), h('a', {href: '#/jobs/' + seg(meta.job)}, 'job ' + meta.job),
      job && !job.error ? [' ', badge(job.state)] : null));
  }
  if (exported) links.push(h('li', null, h('span', {class: 'muted'}, 'exported model '), shortSha(exported)));
  if (record) {
    const same = exported && exported === record.sha256;
    links.push(h('li', null, h('span', {class: 'muted'}, 'this version '), shortSha(record.sha256), ' ', fmtBytes(record.size_bytes),
      exported ? h('span', {class: same ? 'ok' : 'error'}, same ? ' (checksum matches the export)' : ' (checksum differs from the export)') : null));
  }
  if (links.length < 2) {
    return h('p', {class: 'muted'}, record?.source === 'uploaded' ? 'Pushed as a file: no training lineage.' : 'No lineage recorded.');
  }
  return h('ol', {class: 'lineage', 'aria-label': 'Lineage, from data to this version'}, links);
}

/** The held-out test metrics (from the version's metadata, else from its job), and per-class scores when present. */
function metrics(meta, job) {
  if (job?.error) return noteFor(job.error, 'The training job');
  const ev = meta.evaluation ?? job?.evaluation ?? {};
  const rows = [];
  for (const [k, v] of Object.entries(ev)) {
    if (typeof v === 'number') rows.push([k, v]);
    else if (v && typeof v === 'object' && !Array.isArray(v) && k !== 'coefficients' && k !== 'permutation_importance') {
      for (const [k2, v2] of Object.entries(v)) if (typeof v2 === 'number') rows.push([k + ' ' + k2, v2]);
    }
  }
  if (!rows.length) return h('p', {class: 'muted'}, 'No evaluation recorded for this version.');
  const classes = Array.isArray(ev.classes) ? ev.classes.filter((c) => c && typeof c === 'object') : [];
  return h('div', {class: 'cols align-start'},
    table([
      {title: 'Metric (test split)', cell: ([k]) => (k === 'n' ? 'test rows' : k.replace(/_/g, ' '))},
      {title: 'Value', class: 'num', cell: ([, v]) => fmtNumber(v, 4)},
    ], rows),
    classes.length ? table([
      {title: 'Class', cell: (c) => String(c.name ?? '–')},
      ...['precision', 'recall', 'f1'].map((m) => ({title: m, class: 'num', cell: (c) => fmtNumber(c[m], 3)})),
      {title: 'support', class: 'num', cell: (c) => fmtNumber(c.support)},
    ], classes) : null);
}

/** The test split's permutation importance the version was deployed with (else its job's); nothing without one. */
function importance(meta, job) {
  const p = meta.evaluation?.permutation_importance ?? (job && !job.error ? job.evaluation?.permutation_importance : null);
  return Array.isArray(p?.columns) && p.columns.length ? permutationImportance(p) : null;
}
