// Recent traffic for the overview: GET /api/v1/metrics/recent (one replica's last 15 minutes, a point every 10 s, in
// total and per model) drawn with uPlot, with the last values and each model's totals as text.
import {h, table, fmtNumber} from '../dom.js';
import {get} from '../api.js';
import uPlot from '/console/vendor/uplot/uPlot.esm.js';

/**
 * The answer's points folded for the charts. The shape (GET /api/v1/metrics/recent): {replica: {id}, interval_seconds,
 * span_seconds, total: [point], models: {name: [point]}}, a point {end, requests, requests_per_second, error_rate,
 * p50_ms, p95_ms}; the models and total are those this key may see.
 */
export function fold(body) {
  const total = (Array.isArray(body?.total) ? body.total : []).filter((p) => !Number.isNaN(Date.parse(p.end)))
    .sort((a, b) => Date.parse(a.end) - Date.parse(b.end));
  const num = (v) => (typeof v === 'number' ? v : null);
  const models = Object.entries(body?.models ?? {}).map(([model, points]) => {
    const list = Array.isArray(points) ? points : [];
    const p95s = list.map((p) => num(p.p95_ms)).filter((v) => v !== null);
    return {
      model,
      requests: list.reduce((n, p) => n + (num(p.requests) ?? 0), 0),
      errors: list.reduce((n, p) => n + Math.round((num(p.requests) ?? 0) * (num(p.error_rate) ?? 0)), 0),
      p95: p95s.length ? Math.max(...p95s) : null,
    };
  }).filter((m) => m.requests > 0).sort((a, b) => b.requests - a.requests);
  return {
    replica: body?.replica?.id ?? null,
    interval: num(body?.interval_seconds) ?? 10,
    times: total.map((p) => Date.parse(p.end) / 1000),
    rps: total.map((p) => num(p.requests_per_second) ?? 0),
    errors: total.map((p) => (num(p.requests_per_second) ?? 0) * (num(p.error_rate) ?? 0)),
    p50: total.map((p) => num(p.p50_ms)),
    p95: total.map((p) => num(p.p95_ms)),
    models,
  };
}

function chart(el, data, series, onCleanup) {
  const width = Math.max(320, Math.min(560, el.clientWidth || 520));
  // Always the quarter hour up to the last point: with one or two points uPlot's own range would span years.
  const end = data[0][data[0].length - 1];
  const x = {time: true, range: () => [end - 15 * 60, end]};
  const plot = new uPlot({width, height: 180, scales: {x}, series: [{}, ...series], axes: [{}, {size: 56}],
    legend: {show: true}}, data, el);
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
  if (f.replica) el.append(h('p', {class: 'muted'}, `As replica ${f.replica} saw it (each replica counts its own traffic).`));
  if (!f.times.length || !f.rps.some((r) => r > 0)) {
    el.append(h('p', {class: 'muted'}, 'No requests in the last 15 minutes.'));
    return el;
  }
  const last = f.times.length - 1;
  const rpsBox = h('div', {class: 'chart', role: 'img', 'aria-label': `Requests per second; last ${fmtNumber(f.rps[last])}`});
  const latBox = h('div', {class: 'chart', role: 'img', 'aria-label': `Latency p50 and p95 in ms; last p95 ${fmtNumber(f.p95[last])}`});
  el.append(h('div', {class: 'cols'},
    h('div', null, h('h3', null, 'Requests per second'), rpsBox),
    h('div', null, h('h3', null, 'Latency (ms)'), latBox)));
  const p95s = f.p95.filter((v) => v !== null);
  el.append(h('p', {class: 'summary'}, `Last 15 minutes: peak ${fmtNumber(Math.max(...f.rps))} requests/s, ` +
    `worst p95 ${fmtNumber(p95s.length ? Math.max(...p95s) : null)} ms. Last ${f.interval} s: ${fmtNumber(f.rps[last])} requests/s, ` +
    `${fmtNumber(f.errors[last])} errors/s, p95 ${fmtNumber(f.p95[last])} ms.`));
  if (f.models.length) {
    el.append(table([
      {title: 'Model', cell: (m) => m.model},
      {title: 'Requests', class: 'num', cell: (m) => fmtNumber(m.requests)},
      {title: 'Errors', class: 'num', cell: (m) => fmtNumber(m.errors)},
      {title: 'Worst p95 (ms)', class: 'num', cell: (m) => fmtNumber(m.p95)},
    ], f.models));
  }
  // Drawn once the boxes are in the page, so they have a width.
  const draw = () => {
    if (!ctx.isCurrent()) return;
    if (!rpsBox.isConnected) return requestAnimationFrame(draw);
    chart(rpsBox, [f.times, f.rps, f.errors],
      [{label: 'requests/s', stroke: '#b4532a', width: 2}, {label: 'errors/s', stroke: '#b3261e'}], ctx.onCleanup);
    chart(latBox, [f.times, f.p50, f.p95],
      [{label: 'p50 ms', stroke: '#2f6f4f', width: 2, spanGaps: true}, {label: 'p95 ms', stroke: '#7a4fb0', width: 2, spanGaps: true}], ctx.onCleanup);
  };
  requestAnimationFrame(draw);
  return el;
}
