// Usage per day as uPlot charts, one series per model (the busiest few; the rest summed as "other"), with a text
// summary beside each chart so the numbers are not only a picture.
import uPlot from '/console/vendor/uplot/uPlot.esm.js';
import {h, fmtNumber} from '../dom.js';

const COLOURS = ['#a63d1a', '#1f4f8f', '#1e6b34', '#8a5a00', '#6b2d8f', '#0f6b6b', '#5c5650'];
const MAX_SERIES = 6;
const DAY = 86400;
/** Whole-number axis steps: requests and tokens are counts. */
const COUNTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8, 1e9];

/** One colour per model, the same in every chart: models in the order given (busiest first). */
export function colours(models) {
  const index = new Map(models.map((m, i) => [m, i]));
  return (m, i) => (m === 'other models' ? '#5c5650' : COLOURS[(index.get(m) ?? i) % (COLOURS.length - 1)]);
}

/** Every UTC day from..to inclusive as 'YYYY-MM-DD'. */
export function daysBetween(from, to) {
  const out = [];
  for (let t = Date.parse(from + 'T00:00:00Z'); t <= Date.parse(to + 'T00:00:00Z') && out.length < 3700; t += DAY * 1000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** {days, models, values[model][dayIndex]} of one measure (requests or tokens) summed over keys. */
export function perDay(rows, days, measure) {
  const total = new Map();
  for (const r of rows) total.set(r.model, (total.get(r.model) ?? 0) + (r[measure] ?? 0));
  const ranked = [...total.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([m]) => m);
  const models = ranked.slice(0, MAX_SERIES);
  const other = ranked.length > MAX_SERIES;
  const names = other ? [...models, 'other models'] : models;
  const index = new Map(days.map((d, i) => [d, i]));
  const values = names.map(() => days.map(() => 0));
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    let s = models.indexOf(r.model);
    if (s < 0) { if (!other) continue; s = names.length - 1; }
    values[s][i] += r[measure] ?? 0;
  }
  return {days, models: names, values};
}

/**
 * A chart card: heading, the uPlot chart (aria-labelled) and a summary line; returns {el, destroy}. The chart is
 * drawn once the card is in the page (uPlot measures nothing, but the width comes from the container).
 */
export function usageChart(title, unit, series, colourOf = (m, i) => COLOURS[i % COLOURS.length]) {
  const totals = series.values.map((v) => v.reduce((a, b) => a + b, 0));
  const sum = totals.reduce((a, b) => a + b, 0);
  const byDay = series.days.map((_, i) => series.values.reduce((a, v) => a + v[i], 0));
  const peak = byDay.reduce((best, v, i) => (v > byDay[best] ? i : best), 0);
  const summary = sum
    ? `${fmtNumber(sum)} ${sum === 1 ? unit.replace(/s$/, '') : unit} in ${series.days.length} days; busiest day ${series.days[peak]} with ${fmtNumber(byDay[peak])}; `
      + series.models.map((m, i) => `${m}: ${fmtNumber(totals[i])}`).join(', ') + '.'
    : `No ${unit} in these ${series.days.length} days.`;
  const box = h('div', {class: 'chart', role: 'img', 'aria-label': `${title}: ${summary}`});
  const el = h('section', {class: 'usage-chart'}, h('h3', null, title), box, h('p', {class: 'muted'}, summary));
  let plot = null;
  return {
    el,
    draw() {
      if (!sum) { box.append(h('p', {class: 'muted'}, 'Nothing to plot.')); return; }
      const xs = series.days.map((d) => Date.parse(d + 'T00:00:00Z') / 1000);
      plot = new uPlot({
        width: Math.max(320, box.clientWidth - 16),
        height: 220,
        scales: {x: {time: true}, y: {range: (u, min, max) => [0, Math.max(1, max * 1.1)]}},
        axes: [{}, {label: unit, size: 60, incrs: COUNTS}],
        series: [{label: 'day', value: (u, v) => (v === null ? '–' : new Date(v * 1000).toISOString().slice(0, 10))},
          ...series.models.map((m, i) => ({label: m, stroke: colourOf(m, i), width: 2,
            points: {show: true, size: 6}, value: (u, v) => (v === null ? '–' : fmtNumber(v))}))],
      }, [xs, ...series.values], box);
    },
    destroy() { plot?.destroy(); plot = null; },
  };
}
