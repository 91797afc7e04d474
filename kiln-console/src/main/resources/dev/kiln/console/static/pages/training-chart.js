// Line charts for the training pages (uPlot): a figure with an aria-label, the chart, and a text summary (each
// series' point count and last value) so the curves are not only visual. data-points on the figure counts the points
// drawn, which the browser tests read while a job trains. Redraws are batched: step events can come by the hundred.
import uPlot from '/console/vendor/uplot/uPlot.esm.js';
import {h, mount, fmtNumber} from '../dom.js';

export const PALETTE = ['#a63d1a', '#1f4f8f', '#1e6b34', '#8a5a00', '#6b2d8f', '#0f6b6b', '#b0201c', '#4d4d4d'];

/** A number, or null for anything else (the API writes NaN as the string "NaN"). */
export const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * A chart of series [{label, color?, dash?}] over a numeric x. Returns {el, set(x, ys), destroy()}; ys holds one
 * array per series, aligned with x, null where a series has no value. The chart appears once it has points.
 */
export function lineChart(title, series, {xLabel = 'epoch', yLabel = '', height = 240, empty = 'No points yet.'} = {}) {
  const plot = h('div', {class: 'chart-plot'});
  const summary = h('p', {class: 'muted chart-summary'}, empty);
  const el = h('figure', {class: 'chart', role: 'group', 'aria-label': title, 'data-points': '0'},
    h('figcaption', {class: 'chart-title'}, title), plot, summary);
  let u = null;
  let pending = null;
  let frame = 0;
  const opts = (width) => ({
    width, height,
    scales: {x: {time: false}},
    axes: [{label: xLabel}, {label: yLabel, size: 60}],
    legend: {live: false},
    cursor: {drag: {x: false, y: false}},
    series: [{label: xLabel}, ...series.map((s, i) => ({
      label: s.label, stroke: s.color || PALETTE[i % PALETTE.length], width: 2, spanGaps: true,
      dash: s.dash ? [6, 4] : undefined, points: s.points ? {size: 5} : {show: false}, // uPlot hides dense points
    }))],
  });
  const draw = () => {
    frame = 0;
    if (!pending || !el.isConnected) return;
    const [x, ys] = pending;
    const count = ys.reduce((n, y) => n + y.filter((v) => v !== null && v !== undefined).length, 0);
    el.dataset.points = String(count);
    mount(summary, count ? series.map((s, i) => {
      const vals = ys[i].filter((v) => v !== null && v !== undefined);
      return vals.length ? `${s.label}: ${vals.length} points, last ${fmtNumber(vals[vals.length - 1], 4)}. ` : '';
    }) : empty);
    if (!count) return;
    const data = [x, ...ys];
    if (!u) u = new uPlot(opts(Math.max(280, plot.clientWidth || el.clientWidth - 20 || 600)), data, plot);
    else u.setData(data);
  };
  return {
    el,
    set(x, ys) {
      pending = [x, ys];
      if (!frame) frame = setTimeout(draw, 120);
    },
    /** What the chart says while it has no points. */
    setEmpty(text) {
      empty = text;
      if (el.dataset.points === '0') mount(summary, text);
    },
    /** Draws now (tests and first paint need no wait). */
    flush() { clearTimeout(frame); draw(); },
    destroy() { clearTimeout(frame); u?.destroy(); u = null; },
  };
}

/**
 * Lines up several series that each have their own x values ([[x, y], ...] per series) on one sorted x axis, as
 * uPlot wants: returns [x, ys] with null where a series has no point at that x.
 */
export function align(lists) {
  const xs = [...new Set(lists.flatMap((l) => l.map(([x]) => x)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = lists.map((l) => {
    const y = new Array(xs.length).fill(null);
    for (const [x, v] of l) y[at.get(x)] = v;
    return y;
  });
  return [xs, ys];
}

/** A ROC curve: points [{fpr, tpr}] with the chance diagonal, in a square-ish chart. */
export function rocChart(points, auc) {
  const sorted = [...points].map((p) => [num(p.fpr), num(p.tpr)]).filter(([f, t]) => f !== null && t !== null)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const title = 'ROC curve' + (num(auc) !== null ? ` (AUC ${fmtNumber(auc, 4)})` : '');
  const c = lineChart(title, [{label: 'ROC', points: true}, {label: 'chance', color: '#8a8580', dash: true}],
    {xLabel: 'false positive rate', yLabel: 'true positive rate', height: 300});
  // uPlot needs distinct, increasing x: jitter repeated x a hair so vertical steps still draw.
  let last = -1;
  const xy = sorted.map(([f, t]) => { const x = f <= last ? last + 1e-9 : f; last = x; return [x, t]; });
  const [x, ys] = align([xy, [[0, 0], [1, 1]]]);
  c.set(x, ys);
  return c;
}
