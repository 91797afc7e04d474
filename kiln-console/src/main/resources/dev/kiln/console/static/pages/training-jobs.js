// What the job pages share: a job's short description (model type, dataset), its history as curves, its step
// history when the server keeps one, and its headline metrics. Reads the job JSON of GET /api/v1/jobs/{id}.
import {num} from './training-chart.js';

/** The model spec's type: from the object, or the `type:` line of its YAML text. */
export function modelType(job) {
  const m = job?.request?.model ?? job?.lineage?.spec;
  if (m && typeof m === 'object') return m.type ?? '–';
  const t = /^\s*type\s*:\s*["']?([A-Za-z0-9_.-]+)/m.exec(String(m ?? ''));
  return t ? t[1] : '–';
}

export function datasetOf(job) {
  const l = job?.lineage?.dataset;
  const name = job?.request?.dataset ?? l?.name ?? '–';
  const version = job?.request?.dataset_version ?? l?.version;
  return {name, version, text: version ? name + ' v' + version : name};
}

export const finished = (state) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(String(state).toUpperCase());

/** The per-epoch history as [[epoch, value], ...] for one metric (loss, val_loss, accuracy, val_accuracy, ...). */
export function curve(history, key) {
  return (history ?? []).map((e) => [e.epoch, num(e[key])]).filter(([x, v]) => x !== undefined && v !== null);
}

/**
 * The stored per-step losses, when the server keeps them (job.steps: [{step, epoch, loss}], step counted across the
 * whole run; bounded by the server), as [[x, loss]] with x in epochs, as the live step events are drawn.
 */
export function storedSteps(job) {
  const list = Array.isArray(job?.steps) ? job.steps : [];
  if (!list.length) return [];
  // Steps per epoch: from the job's progress, else from the last full epoch's last step.
  let per = num(job.progress?.steps);
  if (!per) {
    const last = list[list.length - 1];
    per = last.epoch > 1 ? Math.max(...list.filter((s) => s.epoch === last.epoch - 1).map((s) => s.step)) / (last.epoch - 1) : null;
  }
  return list.map((s) => {
    const loss = num(s?.loss);
    if (loss === null || typeof s.step !== 'number') return null;
    return [per ? s.step / per : (num(s.epoch) ?? 1) - 1 + s.step / Math.max(1, s.step), loss];
  }).filter((p) => p !== null);
}

/** A live step event (epoch, epochs, step and steps within the epoch, loss) as [x, loss], x in epochs. */
export function stepX(s) {
  const loss = num(s?.loss);
  if (loss === null || typeof s.step !== 'number') return null;
  const steps = num(s.steps);
  const epoch = num(s.epoch) ?? 1;
  return [steps ? epoch - 1 + s.step / steps : s.step, loss];
}

/** The test metrics worth a column: classification, then regression. */
export const METRICS = [
  ['accuracy', 'Accuracy', 'max'], ['macro_f1', 'F1 (macro)', 'max'], ['weighted_f1', 'F1 (weighted)', 'max'],
  ['macro_precision', 'Precision (macro)', 'max'], ['macro_recall', 'Recall (macro)', 'max'],
  ['roc_auc', 'ROC AUC', 'max'], ['log_loss', 'Log loss', 'min'],
  ['mse', 'MSE', 'min'], ['rmse', 'RMSE', 'min'], ['mae', 'MAE', 'min'], ['r2', 'R²', 'max'],
];

/** The evaluation flattened to the keys of METRICS (absent ones left out). */
export function testMetrics(job) {
  const e = job?.evaluation;
  if (!e || typeof e !== 'object') return {};
  const r = e.classification ?? e.regression ?? e;
  const out = {};
  for (const k of ['accuracy', 'roc_auc', 'log_loss', 'mse', 'rmse', 'mae', 'r2']) if (num(r[k]) !== null) out[k] = r[k];
  for (const avg of ['macro', 'weighted']) {
    for (const m of ['precision', 'recall', 'f1']) if (num(r[avg]?.[m]) !== null) out[avg + '_' + m] = r[avg][m];
  }
  return out;
}

/** The classification report inside an evaluation (or null): classes, confusion, roc... */
export function classification(job) {
  const e = job?.evaluation;
  if (!e || typeof e !== 'object') return null;
  const r = e.classification ?? e;
  return Array.isArray(r.confusion) ? r : null;
}

/** The ROC points of a binary evaluation, when the server sends them. */
export function rocPoints(job) {
  const e = job?.evaluation;
  const roc = e?.roc ?? e?.classification?.roc;
  const pts = Array.isArray(roc) ? roc : Array.isArray(roc?.points) ? roc.points : null;
  return pts && pts.length ? pts : null;
}

/** The settings a job ran with, flattened to dotted keys (for side-by-side tables). */
export function settings(job) {
  const out = {};
  const walk = (prefix, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(prefix ? prefix + '.' + k : k, x);
    } else if (v !== undefined) {
      out[prefix] = Array.isArray(v) ? JSON.stringify(v) : v;
    }
  };
  const req = job?.request ?? {};
  out.dataset = datasetOf(job).text;
  const spec = job?.lineage?.spec ?? req.model;
  if (spec && typeof spec === 'object') {
    const {training, ...model} = spec;
    walk('model', model);
    walk('training', job?.lineage?.settings ?? {...training, ...req.training});
  } else {
    out['model.type'] = modelType(job);
    walk('training', req.training);
  }
  walk('preparation', req.preparation);
  return out;
}
