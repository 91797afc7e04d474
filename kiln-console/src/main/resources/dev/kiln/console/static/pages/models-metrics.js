// Recent traffic for the overview: GET /api/v1/metrics/recent (requests, errors and latency per model in short
// buckets, per replica) folded into one series per measure, drawn with uPlot, with the last values as text.
import {h, table, fmtNumber} from '../dom.js';
import {get} from '../api.js';
import uPlot from '/console/vendor/uplot/uPlot.esm.js';

const TIME = ['at', 'start', 'time', 'timestamp', 't', 'ts', 'bucket'];
const pick = (o, names) => names.map((n) => o[n]).find((v) => v !== undefined && v !== null);

/**
 * Buckets from whatever nesting the answer uses (replicas → models → buckets, or flat rows): every object with a time
 * and numbers, with the model and replica named by it or an enclosing object.
 */
export function buckets(node, ctx = {}, out = []) {
  if (Array.isArray(node)) {
    node.forEach((n) => buckets(n, ctx, out));
  } else if (node && typeof node === 'object') {
    const here = {...ctx, model: node.model ?? ctx.model, replica: node.replica ?? node.instance ?? ctx.replica};
    const at = pick(node, TIME);
    if (at !== undefined && typeof at !== 'object') {
      const seconds = typeof at === 'number' ? (at > 1e12 ? at / 1000 : at) : Date.parse(at) / 1000;
      if (!Number.isNaN(seconds)) out.push({...here, at: seconds, row: node});
    }
    for (const [k, v] of Object.entries(node)) {
      if (!v || typeof v !== 'object') continue;
      // {models: {"name": [...]}} and {replicas: {"id": {...}}} name the model or replica by key.
      const byKey = !Array.isArray(node) && (ctx.container === 'models' || ctx.container === 'replicas');
      const next = {...here, container: Array.isArray(node) ? ctx.container : k};
      if (byKey && ctx.container === 'models') next.model = here.model ?? k;
      if (byKey && ctx.container === 'replicas') next.replica = here.replica ?? k;
      buckets(v, next, out);
    }
  }
  return out;
}

function measures(row, width) {
  const n = (names) => { const v = pick(row, names); return typeof v === 'number' ? v : null; };
  const count = n(['requests', 'count', 'calls']);
  const rate = n(['requests_per_second', 'rps', 'rate']);
  return {
    rps: rate ?? (count === null ? null : count / width),
    errors: n(['errors', 'error_count', 'failures']),
    p50: n(['latency_p50_ms', 'p50_ms', 'p50', 'latency_p50']),
    p95: n(['latency_p95_ms', 'p95_ms', 'p95', 'latency_p95']),
  };
}

/** Per time: requests/s and errors summed over models and replicas, latency the worst model's. */
export function fold(body) {
  const width = Number(body?.bucket_seconds ?? body?.bucket ?? body?.step_seconds ?? 10) || 10;
  const byTime = new Map();
  const perModel = new Map();
  for (const b of buckets(body)) {
    const m = measures(b.row, width);
    const t = byTime.get(b.at) ?? byTime.set(b.at, {rps: 0, errors: 0, p50: null, p95: null}).get(b.at);
    t.rps += m.rps ?? 0;
    t.errors += m.errors ?? 0;
    if (m.p50 !== null) t.p50 = Math.max(t.p50 ?? 0, m.p50);
    if (m.p95 !== null) t.p95 = Math.max(t.p95 ?? 0, m.p95);
    if (b.model) {
      const s = perModel.get(b.model) ?? perModel.set(b.model, {model: b.model, requests: 0, errors: 0, p95: null}).get(b.model);
      s.requests += (m.rps ?? 0) * width;
      s.errors += m.errors ?? 0;
      if (m.p95 !== null) s.p95 = Math.max(s.p95 ?? 0, m.p95);
    }
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const col = (k) => times.map((t) => byTime.get(t)[k]);
  return {times, rps: col('rps'), errors: col('errors'), p50: col('p50'), p95: col('p95'), models: [...perModel.values()]};
}

function chart(el, data, series, onCleanup) {
  const width = Math.max(320, Math.min(560, el.clientWidth || 520));
  const plot = new uPlot({width, height: 180, series: [{}, ...series], axes: [{}, {size: 56}], legend: {show: true}}, data, el);
  onCleanup(() => plot.destroy());
}

/** The traffic section: two charts and a table of each model's last quarter hour, or a note when not available. */
export async function trafficSection(ctx) {
  const el = h('section', {'aria-labelledby': 'traffic-h'}, h('h2', {id: 'traffic-h'}, 'Traffic, last 15 minutes'));
  let body;
  try {
    body = await get('/api/v1/metrics/recent', {signal: ctx.signal, quiet: true});
  } catch (e) {
    el.append(h('p', {class: 'notice'}, e.status === 404
      ? 'This server does not report recent traffic (GET /api/v1/metrics/recent); Prometheus metrics are at /metrics.'
      : e.status === 403 ? 'Recent traffic needs a key that may read metrics.' : 'Recent traffic: ' + e.message));
    return el;
  }
  const f = fold(body);
  if (!f.times.length) {
    el.append(h('p', {class: 'muted'}, 'No requests in the last 15 minutes.'));
    return el;
  }
  const last = f.times.length - 1;
  const rpsBox = h('div', {class: 'chart', role: 'img', 'aria-label': `Requests per second; last ${fmtNumber(f.rps[last])}`});
  const latBox = h('div', {class: 'chart', role: 'img', 'aria-label': `Latency p50 and p95 in ms; last p95 ${fmtNumber(f.p95[last])}`});
  el.append(h('div', {class: 'cols'},
    h('div', null, h('h3', null, 'Requests per second'), rpsBox),
    h('div', null, h('h3', null, 'Latency (ms)'), latBox)));
  el.append(h('p', {class: 'muted'}, `Last 10 s: ${fmtNumber(f.rps[last])} requests/s, ${fmtNumber(f.errors[last])} errors, ` +
    `p50 ${fmtNumber(f.p50[last])} ms, p95 ${fmtNumber(f.p95[last])} ms.`));
  if (f.models.length) {
    el.append(table([
      {title: 'Model', cell: (m) => m.model},
      {title: 'Requests', class: 'num', cell: (m) => fmtNumber(Math.round(m.requests))},
      {title: 'Errors', class: 'num', cell: (m) => fmtNumber(m.errors)},
      {title: 'Worst p95 (ms)', class: 'num', cell: (m) => fmtNumber(m.p95)},
    ], f.models));
  }
  // Drawn once the boxes are in the page, so they have a width.
  requestAnimationFrame(() => {
    if (!ctx.isCurrent()) return;
    chart(rpsBox, [f.times, f.rps, f.errors],
      [{label: 'requests/s', stroke: '#b4532a', width: 2}, {label: 'errors', stroke: '#b3261e'}], ctx.onCleanup);
    chart(latBox, [f.times, f.p50, f.p95],
      [{label: 'p50 ms', stroke: '#2f6f4f', width: 2}, {label: 'p95 ms', stroke: '#7a4fb0', width: 2}], ctx.onCleanup);
  });
  return el;
}
