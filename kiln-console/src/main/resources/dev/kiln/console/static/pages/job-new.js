// New job: dataset and version, the model spec as YAML text (presets from examples/*.yaml), the optimizer, learning
// rate and loss written into that text, and epochs / batch size / validation split as the request's training
// overrides. The server's own validation shows inline: a dry run (debounced while editing, and on Check) when the
// server offers one, else the submission's 400. Submitting goes to the job's page.
import {h, mount, pageHeader, field, errorBox, toast} from '../dom.js';
import {get, page, post, seg} from '../api.js';
import {PRESETS, OPTIMIZERS, LOSSES, readSettings, writeSettings, dryRunPath, validate, problem, lineOf} from './training-spec.js';

export default async function render(main, ctx) {
  const dataset = h('select', {name: 'dataset', required: true});
  const version = h('select', {name: 'version'});
  const spec = h('textarea', {name: 'spec', rows: 14, spellcheck: 'false', 'aria-describedby': 'spec-status',
    class: 'spec'}, PRESETS.logistic);
  const optimizer = h('select', {name: 'optimizer'}, OPTIMIZERS.map((o) => h('option', {value: o}, o || '(spec default)')));
  const lr = h('input', {name: 'learning_rate', inputmode: 'decimal', size: 8, autocomplete: 'off'});
  const loss = h('select', {name: 'loss'}, LOSSES.map((o) => h('option', {value: o}, o || '(spec default)')));
  const epochs = h('input', {name: 'epochs', type: 'number', min: 1, max: 100000, size: 6});
  const batch = h('input', {name: 'batch_size', type: 'number', min: 1, size: 6});
  const vsplit = h('input', {name: 'validation_split', type: 'number', min: 0, max: 0.9, step: 0.05, size: 6});
  const status = h('div', {id: 'spec-status', class: 'spec-status', 'aria-live': 'polite'});
  const check = h('button', {type: 'button', class: 'secondary'}, 'Check');
  const submit = h('button', {type: 'submit'}, 'Start training');
  const dry = await dryRunPath();
  if (!ctx.isCurrent()) return;

  const syncFields = () => {
    const s = readSettings(spec.value);
    optimizer.value = OPTIMIZERS.includes(s.optimizer) ? s.optimizer : '';
    lr.value = s.learningRate;
    loss.value = LOSSES.includes(s.loss) ? s.loss : '';
  };
  const writeFields = () => {
    spec.value = writeSettings(spec.value, {optimizer: optimizer.value, learningRate: lr.value.trim(), loss: loss.value});
    changed();
  };
  const request = () => {
    const training = {};
    if (epochs.value) training.epochs = Number(epochs.value);
    if (batch.value) training.batch_size = Number(batch.value);
    if (vsplit.value !== '') training.validation_split = Number(vsplit.value);
    const r = {dataset: dataset.value, model: spec.value};
    if (version.value) r.dataset_version = Number(version.value);
    if (Object.keys(training).length) r.training = training;
    return r;
  };
  const showProblem = (p) => {
    spec.setAttribute('aria-invalid', 'true');
    const line = lineOf(spec.value, p.path);
    const where = p.path ? ` (at ${p.path}${line ? ', line ' + line : ''})` : '';
    mount(status, h('div', {class: 'error spec-error', role: 'alert'}, p.message + where,
      line ? [' ', h('button', {type: 'button', class: 'link', onclick: () => selectLine(spec, line)}, 'Show line ' + line)] : null));
  };
  const showOk = (text) => {
    spec.removeAttribute('aria-invalid');
    mount(status, h('p', {class: 'ok-text'}, text));
  };
  let inflight = null;
  const runCheck = async () => {
    if (!dataset.value) return;
    inflight?.abort();
    const c = new AbortController();
    inflight = c;
    ctx.signal.addEventListener('abort', () => c.abort());
    mount(status, h('p', {class: 'muted'}, 'Checking…'));
    try {
      const v = await validate(dry, request(), c.signal);
      if (c !== inflight || !ctx.isCurrent()) return;
      if (v.ok) showOk('✓ The server accepts this spec.'); else showProblem(v);
    } catch (e) {
      if (e.name !== 'AbortError' && c === inflight) mount(status, errorBox(e));
    }
  };
  let timer = 0;
  const changed = () => {
    if (!dry) return;
    clearTimeout(timer);
    timer = setTimeout(runCheck, 700);
  };
  ctx.onCleanup(() => { clearTimeout(timer); inflight?.abort(); });
  check.addEventListener('click', runCheck);
  check.hidden = !dry;
  let edited = false;
  let info = null; // the picked dataset's newest version: its task and classes shape the presets
  const preset = (k) => {
    const classes = info?.classes?.length ?? 0;
    // The MLP's last layer has one unit per class.
    return k === 'mlp' && classes > 1 ? PRESETS.mlp.replace('units: 2, activation: softmax', `units: ${classes}, activation: softmax`)
      : PRESETS[k];
  };
  const picked = (d) => {
    info = d;
    if (!edited && d) spec.value = d.task === 'REGRESSION' ? PRESETS.linear : PRESETS.logistic;
    syncFields();
    changed();
  };
  spec.addEventListener('input', () => { edited = true; syncFields(); changed(); });
  for (const el of [optimizer, loss]) el.addEventListener('change', writeFields);
  lr.addEventListener('change', writeFields);
  for (const el of [epochs, batch, vsplit, version]) el.addEventListener('change', changed);

  const presets = h('div', {class: 'actions', role: 'group', 'aria-label': 'Presets'},
    h('span', {class: 'muted'}, 'Presets:'),
    Object.keys(PRESETS).map((k) => h('button', {type: 'button', class: 'secondary preset', onclick: () => {
      spec.value = preset(k);
      syncFields();
      changed();
    }}, k)));

  const form = h('form', {class: 'card job-form', 'aria-label': 'New training job', onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const job = await post('/api/v1/jobs', request());
      toast('Job ' + job.id + ' queued');
      ctx.go('#/jobs/' + job.id);
    } catch (err) {
      if (err.status === 400 || err.status === 404 || err.status === 422) showProblem(problem(err));
      else mount(status, errorBox(err));
      spec.focus();
    } finally {
      submit.disabled = false;
    }
  }},
  h('div', {class: 'inline'}, field('Dataset', dataset), field('Version', version)),
  h('h2', null, 'Model spec'), presets,
  field('Spec (YAML or JSON)', spec, 'As in examples/*.yaml; see README, Training.'),
  status,
  h('div', {class: 'inline'}, field('Optimizer', optimizer), field('Learning rate', lr), field('Loss', loss)),
  h('h2', null, 'Training overrides'),
  h('div', {class: 'inline'}, field('Epochs', epochs), field('Batch size', batch), field('Validation split', vsplit)),
  h('p', {class: 'muted'}, dry ? 'The server checks the spec as you edit (no job is started).'
    : 'This server has no dry run: the spec is checked when you start the job.'),
  h('div', {class: 'actions'}, check, submit));
  mount(main, pageHeader('New training job', h('a', {href: '#/jobs'}, 'All jobs')), form);

  picked(await loadDatasets(ctx, dataset, version));
  dataset.addEventListener('change', () => { versions(ctx, dataset.value, version).then(picked); });
}

async function loadDatasets(ctx, select, version) {
  let items = [];
  try {
    items = (await page('/api/v1/datasets', {limit: 500})).items;
  } catch (e) {
    select.after(errorBox(e));
  }
  if (!ctx.isCurrent()) return;
  const want = ctx.query.get('dataset');
  if (want && !items.some((d) => d.name === want)) items.unshift({name: want});
  mount(select, items.length ? items.map((d) => h('option', {value: d.name, selected: d.name === want}, d.name))
    : h('option', {value: ''}, 'no datasets: upload one first'));
  return versions(ctx, select.value, version, Number(ctx.query.get('version')) || null);
}

async function versions(ctx, name, select, want = null) {
  if (!name) {
    mount(select, h('option', {value: ''}, '–'));
    return null;
  }
  try {
    const d = await get('/api/v1/datasets/' + seg(name));
    if (!ctx.isCurrent()) return null;
    const opts = [h('option', {value: ''}, `newest (v${d.version})`)];
    for (let v = d.version; v >= Math.max(1, d.version - 49); v--) opts.push(h('option', {value: v, selected: v === want}, 'v' + v));
    mount(select, opts);
    return d;
  } catch {
    mount(select, h('option', {value: ''}, 'newest'));
    return null;
  }
}

function selectLine(textarea, line) {
  const lines = textarea.value.split('\n');
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  textarea.focus();
  textarea.setSelectionRange(start, start + (lines[line - 1] ?? '').length);
}
