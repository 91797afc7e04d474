// Compare jobs (#/jobs/compare?ids=1,2,3): their curves overlaid (one series per job and metric: loss and val_loss;
// accuracy and val_accuracy), then settings and test metrics side by side. A row whose values differ between the
// jobs has class `diff`; the best value of each metric is marked (bold, and "best" for screen readers).
import {h, mount, pageHeader, errorBox, badge, fmtNumber, field} from '../dom.js';
import {get} from '../api.js';
import {lineChart, align, PALETTE} from './training-chart.js';
import {curve, settings, testMetrics, METRICS, modelType, datasetOf} from './training-jobs.js';

const MAX_JOBS = 8;

export default async function render(main, ctx) {
  const ids = [...new Set((ctx.query.get('ids') || '').split(',').map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0))].slice(0, MAX_JOBS);
  const header = pageHeader('Compare jobs', h('a', {href: '#/jobs'}, 'All jobs'));
  if (ids.length < 2) {
    mount(main, header, h('p', {class: 'notice'}, 'Pick two or more jobs on the Jobs page, or name them here.'), idsForm(ctx, ids));
    return;
  }
  const results = await Promise.allSettled(ids.map((id) => get('/api/v1/jobs/' + id, {signal: ctx.signal})));
  if (!ctx.isCurrent()) return;
  const jobs = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const failed = results.map((r, i) => (r.status === 'rejected' ? `#${ids[i]}: ${r.reason?.message}` : null)).filter(Boolean);
  const charts = [];
  ctx.onCleanup(() => charts.forEach((c) => c.destroy()));
  const overlay = (title, key, yLabel) => {
    const series = [];
    const lists = [];
    jobs.forEach((j, i) => {
      for (const [k, dash] of [[key, false], ['val_' + key, true]]) {
        const pts = curve(j.history, k);
        if (!pts.length) continue;
        series.push({label: `#${j.id} ${k}`, color: PALETTE[i % PALETTE.length], dash, points: true});
        lists.push(pts);
      }
    });
    const c = lineChart(title, series, {yLabel, empty: 'These jobs have no ' + key + ' history.'});
    c.el.dataset.chart = key;
    c.el.classList.add('overlay');
    charts.push(c);
    if (series.length) c.set(...align(lists));
    return c;
  };
  const loss = overlay('Loss per epoch (solid: train, dashed: validation)', 'loss', 'loss');
  const acc = overlay('Accuracy per epoch (solid: train, dashed: validation)', 'accuracy', 'accuracy');
  mount(main, header,
    failed.length ? errorBox(new Error('Not shown: ' + failed.join('; '))) : null,
    idsForm(ctx, ids),
    h('ul', {class: 'legend-jobs'}, jobs.map((j, i) => {
      const swatch = h('span', {class: 'swatch', 'aria-hidden': 'true'});
      swatch.style.background = PALETTE[i % PALETTE.length];
      return h('li', null, swatch, h('a', {href: '#/jobs/' + j.id}, '#' + j.id), ' ', badge(j.state), ' ',
        modelType(j), ' on ', datasetOf(j).text);
    })),
    h('div', {class: 'cols charts'}, loss.el, acc.el),
    h('h2', null, 'Test metrics'), metricsTable(jobs),
    h('h2', null, 'Settings'), settingsTable(jobs));
  charts.forEach((c) => c.flush());
}

function idsForm(ctx, ids) {
  const input = h('input', {name: 'ids', value: ids.join(','), placeholder: '1,2,3', autocomplete: 'off'});
  return h('form', {class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    ctx.go('#/jobs/compare?ids=' + encodeURIComponent(input.value.replace(/[^0-9,]/g, '')));
  }}, field('Job ids (comma separated)', input), h('button', {type: 'submit', class: 'secondary'}, 'Compare'));
}

const same = (vals) => vals.every((v) => String(v ?? '') === String(vals[0] ?? ''));

function head(jobs, first) {
  return h('thead', null, h('tr', null, h('th', {scope: 'col'}, first),
    jobs.map((j) => h('th', {scope: 'col', class: 'num'}, h('a', {href: '#/jobs/' + j.id}, '#' + j.id)))));
}

function metricsTable(jobs) {
  const ms = jobs.map(testMetrics);
  const rows = METRICS.filter(([k]) => ms.some((m) => m[k] !== undefined));
  rows.push(['epochs', 'Epochs trained', null], ['duration', 'Duration (s)', 'min']);
  const value = (j, m, k) => (k === 'epochs' ? (j.history ?? []).length : k === 'duration' ? j.lineage?.duration_seconds : m[k]);
  if (!rows.length) return h('p', {class: 'muted'}, 'None of these jobs has test metrics yet.');
  return h('table', {class: 'grid compare metrics-table'}, head(jobs, 'Metric'),
    h('tbody', null, rows.map(([k, label, better]) => {
      const vals = jobs.map((j, i) => value(j, ms[i], k));
      const nums = vals.filter((v) => typeof v === 'number');
      const best = better && nums.length > 1 ? (better === 'max' ? Math.max(...nums) : Math.min(...nums)) : null;
      return h('tr', {class: same(vals) ? null : 'diff', 'data-metric': k}, h('th', {scope: 'row'}, label),
        vals.map((v) => {
          const isBest = best !== null && v === best && !same(vals);
          return h('td', {class: 'num' + (isBest ? ' best' : '')}, fmtNumber(v, 4),
            isBest ? h('span', {class: 'best-mark'}, ' ★', h('span', {class: 'sr-only'}, 'best')) : null);
        }));
    })));
}

function settingsTable(jobs) {
  const all = jobs.map(settings);
  const keys = [...new Set(all.flatMap((s) => Object.keys(s)))];
  const differing = keys.filter((k) => !same(all.map((s) => s[k])));
  return h('div', null,
    h('p', {class: 'muted'}, differing.length ? `${differing.length} of ${keys.length} settings differ (highlighted).`
      : 'All settings are the same.'),
    h('table', {class: 'grid compare settings-table'}, head(jobs, 'Setting'),
      h('tbody', null, keys.map((k) => h('tr', {class: differing.includes(k) ? 'diff' : null},
        h('th', {scope: 'row', class: 'mono'}, k), all.map((s) => h('td', {class: 'mono'}, s[k] === undefined ? '–' : String(s[k]))))))));
}
