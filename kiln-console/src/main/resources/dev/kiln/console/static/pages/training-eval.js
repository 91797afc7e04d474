// A finished job's evaluation on its test split: headline metrics, the confusion matrix as a heat map (counts as
// text, a caption saying how to read it), per-class precision/recall/F1, the ROC curve of a binary task, and the
// permutation importance of each raw column.
import {h, fmtNumber} from '../dom.js';
import {rocChart, num} from './training-chart.js';
import {testMetrics, classification, rocPoints} from './training-jobs.js';

const LABELS = {
  accuracy: 'Accuracy', macro_precision: 'Precision (macro)', macro_recall: 'Recall (macro)', macro_f1: 'F1 (macro)',
  weighted_precision: 'Precision (weighted)', weighted_recall: 'Recall (weighted)', weighted_f1: 'F1 (weighted)',
  log_loss: 'Log loss', roc_auc: 'ROC AUC', mse: 'MSE', rmse: 'RMSE', mae: 'MAE', r2: 'R²',
};

/** The evaluation section; charts it makes are handed to track() so the page destroys them when it is left. */
export function evaluation(job, track) {
  const m = testMetrics(job);
  if (!Object.keys(m).length) return h('p', {class: 'muted'}, 'This job holds no evaluation.');
  const n = job.evaluation?.n;
  const report = classification(job);
  const parts = [
    h('p', {class: 'muted'}, n ? `On the held-out test split (${fmtNumber(n)} rows).` : 'On the held-out test split.'),
    h('div', {class: 'cards metrics'}, Object.entries(m).map(([k, v]) =>
      h('div', {class: 'stat', 'data-metric': k}, h('div', {class: 'value'}, fmtNumber(v, 4)), h('div', {class: 'label'}, LABELS[k] ?? k)))),
  ];
  if (report) {
    parts.push(h('div', {class: 'cols'},
      h('section', {'aria-label': 'Confusion matrix'}, h('h3', null, 'Confusion matrix'), h('div', {class: 'scroll'}, confusion(report))),
      h('section', {'aria-label': 'Per-class metrics'}, h('h3', null, 'Per class'), h('div', {class: 'scroll'}, perClass(report)))));
    if (report.classes?.length === 2 || report.confusion.length === 2) parts.push(roc(job, track));
  }
  const importance = job.evaluation?.permutation_importance;
  if (importance?.columns?.length) parts.push(permutationImportance(importance));
  const coef = job.evaluation?.coefficients;
  if (coef?.columns?.length) parts.push(coefficients(coef));
  return h('div', {class: 'evaluation'}, parts);
}

function confusion(r) {
  const names = (r.classes ?? []).map((c) => c.name ?? String(c));
  const max = Math.max(1, ...r.confusion.flat().map((c) => Number(c) || 0));
  const level = (c) => (c <= 0 ? 0 : Math.min(5, 1 + Math.floor((4 * c) / max)));
  const name = (i) => names[i] ?? String(i);
  return h('table', {class: 'grid heat confusion'},
    h('caption', null, 'Rows: the actual class; columns: the predicted class. Each cell counts test rows; '
      + 'darker cells hold more rows, the diagonal is right.'),
    h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'actual \\ predicted'),
      r.confusion.map((_, j) => h('th', {scope: 'col'}, name(j))))),
    h('tbody', null, r.confusion.map((row, i) => h('tr', null, h('th', {scope: 'row'}, name(i)),
      row.map((c, j) => h('td', {class: 'heat-' + level(c) + (i === j ? ' diag' : ''),
        title: `actual ${name(i)}, predicted ${name(j)}: ${c}`}, fmtNumber(c)))))));
}

function perClass(r) {
  const rows = r.classes ?? [];
  const cell = (v) => h('td', {class: 'num'}, fmtNumber(num(v), 4));
  return h('table', {class: 'grid per-class'},
    h('thead', null, h('tr', null, ['Class', 'Precision', 'Recall', 'F1', 'Support'].map((t, i) =>
      h('th', {scope: 'col', class: i ? 'num' : null}, t)))),
    h('tbody', null, rows.map((c) => h('tr', null, h('th', {scope: 'row'}, c.name ?? '–'),
      cell(c.precision), cell(c.recall), cell(c.f1), h('td', {class: 'num'}, fmtNumber(c.support)))),
    ['macro', 'weighted'].filter((a) => r[a]).map((a) => h('tr', {class: 'avg'}, h('th', {scope: 'row'}, a + ' avg'),
      cell(r[a].precision), cell(r[a].recall), cell(r[a].f1), h('td', {class: 'num'}, fmtNumber(r.n))))));
}

function roc(job, track) {
  const points = rocPoints(job);
  const auc = job.evaluation?.roc_auc ?? job.evaluation?.classification?.roc_auc;
  const head = h('h3', null, 'ROC curve');
  if (!points) {
    return h('section', {'aria-label': 'ROC curve'}, head, h('p', {class: 'muted'}, num(auc) !== null
      ? `ROC AUC ${fmtNumber(auc, 4)}. This server sends no ROC points, so there is no curve to draw.`
      : 'No ROC for this job (the test split holds one class, or the model gives no probabilities).'));
  }
  const c = rocChart(points, auc);
  track(c);
  return h('section', {'aria-label': 'ROC curve', class: 'roc'}, head, c.el);
}

/**
 * Which raw columns the model leans on: each column's mean score drop when shuffled, as bars with the numbers. Also on
 * a model version's page, from the evaluation its metadata keeps.
 */
export function permutationImportance(p) {
  const top = Math.max(1e-12, ...p.columns.map((c) => num(c.importance) ?? 0));
  const metric = p.metric === 'r2' ? 'R²' : p.metric;
  const bar = (v) => {
    const b = h('span', {class: 'bar', 'aria-hidden': 'true'});
    b.style.width = Math.round(120 * Math.max(0, v) / top) + 'px';
    return b;
  };
  return h('section', {'aria-label': 'Column importance', class: 'importance'},
    h('h3', null, 'Column importance'),
    h('p', {class: 'muted'}, `Drop in test ${metric} when a column's values are shuffled (mean of ${p.repeats} seeded `
      + `shuffles over ${fmtNumber(p.rows)} rows; baseline ${fmtNumber(num(p.baseline), 4)}).`),
    h('table', {class: 'grid'},
      h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'Column'), h('th', {scope: 'col', class: 'num'}, 'Importance'),
        h('th', {scope: 'col', class: 'num'}, '± std'), h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Bar')))),
      h('tbody', null, p.columns.map((c) => h('tr', null, h('th', {scope: 'row'}, c.name),
        h('td', {class: 'num'}, fmtNumber(num(c.importance), 4)), h('td', {class: 'num'}, fmtNumber(num(c.std), 3)),
        h('td', null, bar(num(c.importance) ?? 0)))))));
}

function coefficients(c) {
  const multi = Array.isArray(c.weights?.[0]);
  const weights = multi ? c.weights : [c.weights ?? []];
  // A two-class sigmoid model has one row of weights, the second class's (as scikit-learn's binary coef_).
  const classes = multi ? (c.classes ?? []).slice(-weights.length) : ['weight'];
  while (classes.length < weights.length) classes.push('row ' + (classes.length + 1));
  return h('details', {class: 'coefficients'}, h('summary', null, 'Coefficients (raw column units)'),
    h('table', {class: 'grid'},
      h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'Column'), classes.map((k) => h('th', {scope: 'col', class: 'num'}, k)))),
      h('tbody', null, c.columns.map((col, i) => h('tr', null, h('th', {scope: 'row'}, col),
        weights.map((w) => h('td', {class: 'num'}, fmtNumber(num(w[i]), 4))))),
      h('tr', null, h('th', {scope: 'row'}, 'intercept'), (Array.isArray(c.intercept) ? c.intercept : [c.intercept])
        .map((b) => h('td', {class: 'num'}, fmtNumber(num(b), 4)))))));
}
