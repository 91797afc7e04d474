// A tensor model in the playground: the version picker, a form generated from its signature, the answer of
// POST /v2/models/{m}[/versions/{v}]/infer (the server's own message on a refusal), and the same call as snippets.
import {h, mount, pageHeader, field, errorBox} from '../dom.js';
import {get, post, seg} from '../api.js';
import {inputsFor} from './playground-inputs.js';
import {renderOutputs} from './playground-output.js';
import {snippetPanel, tensorSnippets, rowSnippet} from './playground-snippets.js';

export default async function render(main, ctx, {name, version, meta, back}) {
  const base = '/v2/models/' + seg(name) + (version ? '/versions/' + seg(version) : '');
  const inferPath = base + '/infer';
  const form = inputsFor(meta);
  const result = h('div', {class: 'result', 'aria-live': 'polite'},
    h('p', {class: 'muted'}, 'The answer shows here.'));
  const submit = h('button', {type: 'submit'}, 'Run');
  const codeFor = () => {
    if (form.snippets) return form.snippets(inferPath);
    const code = tensorSnippets(inferPath, requestBody(form));
    // A Kiln-trained tabular model answers rows keyed by column name, the simplest call for a dataframe's rows.
    return form.row && outputs(meta).has('class') ? [...code, rowSnippet(name, form.row())] : code;
  };
  const snippets = snippetPanel(codeFor());

  const run = async () => {
    let body;
    try {
      body = requestBody(form);
    } catch (e) {
      mount(result, errorBox(e));
      return;
    }
    submit.disabled = true;
    mount(result, h('p', {class: 'muted'}, 'Calling the model…'));
    const started = performance.now();
    try {
      const answer = await post(inferPath, body, {signal: ctx.signal});
      const ms = performance.now() - started;
      const classes = await classNames(name, answer.model_version, meta, ctx.signal);
      if (!ctx.isCurrent()) return;
      mount(result, h('p', {class: 'muted'}, `Answered by version ${answer.model_version ?? '?'} in ${ms.toFixed(0)} ms.`),
        renderOutputs(answer, classes));
    } catch (e) {
      if (e?.name === 'AbortError' || !ctx.isCurrent()) return;
      mount(result, h('h3', null, e.status ? `Refused (HTTP ${e.status})` : 'Failed'), errorBox(e));
    } finally {
      submit.disabled = false;
    }
  };

  const formEl = h('form', {class: 'tensor-form', 'aria-label': 'Inputs of ' + name, novalidate: true,
    onsubmit: (e) => { e.preventDefault(); run(); },
    oninput: () => refreshSnippets(),
    onchange: () => refreshSnippets(),
    onkeydown: (e) => {
      // A text area takes Enter as a new line; Ctrl+Enter (⌘+Enter) runs the model from it.
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target.tagName === 'TEXTAREA') {
        e.preventDefault();
        formEl.requestSubmit();
      }
    }},
  form.node, h('div', {class: 'actions'}, submit,
    h('span', {class: 'muted'}, {tensors: 'Enter (Ctrl+Enter in a text area) runs it.', columns: 'Enter runs it.'}[form.kind])));
  function refreshSnippets() {
    try {
      snippets.update(codeFor());
    } catch { /* half-typed input: keep the last good snippets */ }
  }

  mount(main, pageHeader(name, back),
    summary(meta, form.kind),
    versionPicker(ctx, name, meta, version),
    h('div', {class: 'cols'},
      h('section', {class: 'card', 'aria-labelledby': 'pg-in'}, h('h2', {id: 'pg-in'}, 'Inputs'), formEl),
      h('section', {class: 'card', 'aria-labelledby': 'pg-out'}, h('h2', {id: 'pg-out'}, 'Answer'), result)),
    snippets.node);
}

const outputs = (meta) => new Set((meta.outputs ?? []).map((o) => o.name));

function requestBody(form) {
  return {inputs: form.read()};
}

const classCache = new Map();

/**
 * The names of a classifier's classes, in output order: an output's parameters.classes where the metadata has them,
 * else the lineage of the registry version that answered (a Kiln-trained model: `lineage.classes`), when this key
 * may read it. Empty when neither says: the page then names only the top class, from the model's `class` output.
 */
async function classNames(name, version, meta, signal) {
  for (const o of meta.outputs ?? []) {
    if (Array.isArray(o.parameters?.classes)) return o.parameters.classes.map(String);
  }
  if (!version || !(meta.outputs ?? []).some((o) => o.name === 'probabilities')) return [];
  const key = name + '\u0000' + version;
  if (!classCache.has(key)) {
    classCache.set(key, get('/api/v1/models/' + seg(name) + '/versions/' + seg(version), {signal, quiet: true})
      .then((v) => {
        const m = typeof v.metadata === 'string' ? JSON.parse(v.metadata) : v.metadata;
        const classes = m?.lineage?.classes;
        return Array.isArray(classes) ? classes.map(String) : [];
      })
      .catch(() => { classCache.delete(key); return []; }));
  }
  return classCache.get(key);
}

function summary(meta, kind) {
  const what = {columns: 'a tabular model: one field per column it was trained on, sent by column name',
    image: 'an image model: pick a picture, it is resized and sent as pixels', tensors: 'one JSON value per input'}[kind];
  const outs = (meta.outputs ?? []).map((o) => `${o.name} ${o.datatype} [${(o.shape ?? []).join(', ')}]`).join('; ');
  return h('p', {class: 'muted'}, `Platform ${meta.platform ?? '?'}; ${what}. Outputs: ${outs || 'none declared'}.`);
}

function versionPicker(ctx, name, meta, version) {
  const versions = (meta.versions ?? []).map(String);
  if (versions.length <= 1 && !version) return null;
  const select = h('select', {onchange: () => ctx.go('#/playground/' + seg(name) +
      (select.value ? '?version=' + encodeURIComponent(select.value) : ''))},
    h('option', {value: '', selected: !version}, 'newest ready'),
    versions.map((v) => h('option', {value: v, selected: v === version}, v)));
  return h('div', {class: 'inline version-pick'}, field('Version', select));
}
