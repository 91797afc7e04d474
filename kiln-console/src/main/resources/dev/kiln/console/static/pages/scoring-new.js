// Score a dataset: a served tensor model (GET /v2/models: the ones this key may call), a stored dataset and version
// (GET /api/v1/datasets), the batch size and an optional id column; submitting goes to the job's live page. ?model= and
// ?dataset= (from a model version's or a dataset's page) preselect them, even when the lists do not hold them (a key
// that may not list datasets can still name one). The server's refusals show on the form, said plainly.
import {h, mount, pageHeader, field, toast} from '../dom.js';
import {get, page, post, seg} from '../api.js';
import {SCORING, refusal} from './scoring-lib.js';

export default async function render(main, ctx) {
  const model = h('select', {name: 'model', required: true});
  const dataset = h('select', {name: 'dataset', required: true});
  const version = h('select', {name: 'version'});
  const batch = h('input', {name: 'batch_size', type: 'number', min: 1, size: 6, placeholder: 'model default'});
  const idColumn = h('input', {name: 'id_column', autocomplete: 'off', size: 16});
  const status = h('div', {class: 'scoring-status', 'aria-live': 'polite'});
  const submit = h('button', {type: 'submit'}, 'Start scoring');
  const form = h('form', {class: 'card scoring-form', 'aria-label': 'New scoring job', onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    mount(status);
    const body = {model: model.value, dataset: dataset.value + (version.value ? '@' + version.value : '')};
    if (batch.value) body.batch_size = Number(batch.value);
    if (idColumn.value.trim()) body.id_column = idColumn.value.trim();
    try {
      const job = await post(SCORING, body);
      toast('Scoring job ' + job.id + ' queued');
      ctx.go('#/scoring/' + job.id);
    } catch (err) {
      if (ctx.isCurrent()) mount(status, refusal(err, subject(err, body)));
    } finally {
      submit.disabled = false;
    }
  }},
  h('div', {class: 'inline'}, field('Model', model),
    field('Dataset', dataset), field('Version', version)),
  h('div', {class: 'inline'}, field('Batch size', batch, 'Rows per inference request; empty: the model\'s own.'),
    field('Id column', idColumn, 'Optional: a column naming each row in the output.')),
  status, h('div', {class: 'actions'}, submit));
  mount(main, pageHeader('Score a dataset', h('a', {href: '#/scoring'}, 'All scoring jobs')),
    h('p', {class: 'muted'}, 'The models offered are the served ones this key may call; the predictions keep the ' +
      'dataset\'s row order.'), form);

  const [models, datasets] = await Promise.allSettled([
    get('/v2/models', {signal: ctx.signal, quiet: true}),
    page('/api/v1/datasets', {limit: 500}),
  ]);
  if (!ctx.isCurrent()) return;
  fill(model, models.status === 'fulfilled' ? models.value?.models ?? [] : [], ctx.query.get('model'), 'no model this key may call');
  fill(dataset, datasets.status === 'fulfilled' ? datasets.value.items.map((d) => d.name) : [], ctx.query.get('dataset'),
    'no datasets this key may list');
  await versions(ctx, dataset.value, version, Number(ctx.query.get('version')) || null);
  dataset.addEventListener('change', () => versions(ctx, dataset.value, version));
}

/** What a refusal is about, from the server's message (which names the dataset or the model it could not find). */
function subject(err, body) {
  if (/dataset/i.test(err.message)) return 'dataset ' + body.dataset;
  if (/model/i.test(err.message)) return 'model ' + body.model;
  return `dataset ${body.dataset} or model ${body.model}`;
}

function fill(select, names, want, none) {
  const all = [...new Set(names)].sort();
  if (want && !all.includes(want)) all.unshift(want);
  mount(select, all.length ? all.map((n) => h('option', {value: n, selected: n === want}, n)) : h('option', {value: ''}, none));
}

async function versions(ctx, name, select, want = null) {
  mount(select, h('option', {value: ''}, 'newest'));
  if (!name) return;
  try {
    const d = await get('/api/v1/datasets/' + seg(name), {quiet: true});
    if (!ctx.isCurrent()) return;
    const opts = [h('option', {value: ''}, `newest (v${d.version})`)];
    for (let v = d.version; v >= Math.max(1, d.version - 49); v--) opts.push(h('option', {value: v, selected: v === want}, 'v' + v));
    mount(select, opts);
  } catch {
    // A dataset this key may not read: the submission says so.
  }
}
