// One job: state, progress, settings, and live curves (loss and accuracy per epoch from the history, training loss
// per step from the event stream's `step` events plus the stored step history when the server keeps one). The stream
// (GET /api/v1/jobs/{id}/events: state, step, epoch, resumed) is followed until the job ends; then the evaluation
// (test metrics, confusion matrix, per-class table, ROC) and, for a succeeded job, Deploy.
import {h, mount, pageHeader, errorBox, badge, fmtNumber, fmtTime, toast, confirmDialog, field} from '../dom.js';
import {get, post, events, seg} from '../api.js';
import {lineChart, align} from './training-chart.js';
import {modelType, datasetOf, finished, curve, storedSteps, stepX, settings} from './training-jobs.js';
import {evaluation} from './training-eval.js';

const MAX_STEPS = 4000; // step points kept; beyond it every other one is dropped

export default async function render(main, ctx) {
  const id = Number(ctx.params.id);
  let job = await get('/api/v1/jobs/' + id, {signal: ctx.signal});
  if (!ctx.isCurrent()) return;
  let steps = storedSteps(job);
  const charts = [];
  const track = (c) => { charts.push(c); return c; };
  ctx.onCleanup(() => charts.forEach((c) => c.destroy()));
  const lossChart = track(lineChart('Loss per epoch', [{label: 'loss', points: true}, {label: 'val_loss', dash: true, points: true}],
    {yLabel: 'loss', empty: 'No finished epoch yet.'}));
  lossChart.el.dataset.chart = 'loss';
  const stepChart = track(lineChart('Training loss per step', [{label: 'loss per step'}],
    {xLabel: 'epoch', yLabel: 'loss', empty: 'No steps yet: they stream in while the job trains.'}));
  stepChart.el.dataset.chart = 'steps';
  const metricSlot = h('div');
  let metricChart = null;
  let metricKey = null;

  const title = h('span');
  const actions = h('div', {class: 'actions'});
  const progress = h('section', {class: 'card', 'aria-label': 'Progress'});
  const info = h('section', {class: 'card', 'aria-label': 'Settings'});
  const results = h('section', {'aria-label': 'Results'});
  const live = h('p', {class: 'muted live-state', 'aria-live': 'polite'});
  mount(main, h('div', {class: 'page-header'}, h('h1', null, 'Job #' + id, ' ', title), actions),
    h('p', null, h('a', {href: '#/jobs'}, '← Jobs'), ' · ', h('a', {href: '#/jobs/compare?ids=' + id}, 'Compare with…')),
    live, progress,
    h('h2', null, 'Curves'),
    h('div', {class: 'cols charts'}, lossChart.el, metricSlot), stepChart.el,
    info, results);

  const drawCurves = () => {
    const hist = job.history ?? [];
    lossChart.set(...align([curve(hist, 'loss'), curve(hist, 'val_loss')]));
    const want = curve(hist, 'accuracy').length ? 'accuracy'
      : ['mae', 'rmse', 'mse'].find((k) => curve(hist, k).length) ?? 'accuracy';
    if (want !== metricKey) {
      metricChart?.destroy();
      metricKey = want;
      metricChart = track(lineChart((want === 'accuracy' ? 'Accuracy' : want.toUpperCase()) + ' per epoch',
        [{label: want, points: true}, {label: 'val_' + want, dash: true, points: true}],
        {yLabel: want, empty: 'No finished epoch yet.'}));
      metricChart.el.dataset.chart = 'metric';
      mount(metricSlot, metricChart.el);
    }
    metricChart.set(...align([curve(hist, want), curve(hist, 'val_' + want)]));
    if (hist.length && want === 'accuracy' && !curve(hist, want).length) {
      metricChart.setEmpty('No accuracy: a regression job (its loss is the mean squared error).');
    }
    const [x, ys] = align([steps]);
    stepChart.set(x, ys);
    if (finished(job.state) && !steps.length) {
      stepChart.setEmpty('No step losses were recorded for this job (a model fitted without steps, or a server that keeps none).');
    }
  };
  let drawTimer = 0;
  const redraw = () => { if (!drawTimer) drawTimer = setTimeout(() => { drawTimer = 0; drawCurves(); }, 200); };
  ctx.onCleanup(() => clearTimeout(drawTimer));

  const showState = () => {
    mount(title, badge(job.state));
    mount(actions, actionButtons(job, ctx, refresh));
    mount(progress, progressPart(job));
    mount(info, h('h2', null, 'Settings'), settingsPart(job));
    live.textContent = finished(job.state) ? '' : 'Live: following the job as it trains.';
  };
  let done = false;
  const showResults = () => {
    if (done || !finished(job.state)) return;
    done = true;
    mount(results,
      job.state === 'SUCCEEDED' ? [h('h2', null, 'Test metrics'), evaluation(job, track), deployPart(job, ctx)] : null,
      job.state === 'FAILED' ? [h('h2', null, 'Error'), h('div', {class: 'error', role: 'alert'}, job.error ?? 'failed')] : null,
      job.state === 'CANCELLED' ? h('p', {class: 'notice'}, 'This job was cancelled' + (job.error && job.error !== 'cancelled'
        ? ': ' + job.error : '.') + ' What it trained before is in the curves above.') : null);
    charts.forEach((c) => c.flush()); // the evaluation's charts (ROC) draw at once
  };
  async function refresh() {
    job = await get('/api/v1/jobs/' + id);
    if (!ctx.isCurrent()) return;
    steps = mergeSteps(steps, storedSteps(job));
    showState();
    drawCurves();
    showResults();
  }

  showState();
  drawCurves();
  charts.forEach((c) => c.flush());
  showResults();
  if (finished(job.state)) return;

  let closed = false;
  let poll = 0;
  const close = events('/api/v1/jobs/' + id + '/events', {
    state: (j) => {
      if (typeof j !== 'object' || j === null) return;
      job = {...job, ...j};
      showState();
      redraw();
      if (finished(job.state)) { stop(); refresh().catch((e) => mount(results, errorBox(e))); }
    },
    step: (p) => {
      const pt = stepX(p);
      if (pt) steps = addStep(steps, pt);
      job = {...job, progress: p};
      mount(progress, progressPart(job));
      redraw();
    },
    epoch: (m) => {
      if (!m || typeof m.epoch !== 'number') return;
      job = {...job, history: [...(job.history ?? []).filter((e) => e.epoch < m.epoch), m]};
      redraw();
    },
    resumed: () => { live.textContent = 'The job was resumed from its checkpoint.'; },
  }, (_, es) => {
    // EventSource reconnects by itself; once it gives up (a 401, a replica gone), poll instead.
    if (es.readyState === 2 && !closed && !poll) poll = setInterval(() => refresh().then(() => finished(job.state) && stop()), 2000);
  });
  function stop() {
    closed = true;
    close();
    clearInterval(poll);
  }
  ctx.onCleanup(stop);
}

function addStep(steps, pt) {
  const out = steps.length && pt[0] < steps[steps.length - 1][0] ? steps.filter(([x]) => x < pt[0]) : steps;
  out.push(pt);
  return out.length > MAX_STEPS ? out.filter((_, i) => i % 2 === 0 || i === out.length - 1) : out;
}

function mergeSteps(live, stored) {
  return stored.length > live.length ? stored : live;
}

function progressPart(job) {
  const p = job.progress;
  const epochs = p?.epochs || job.history?.[0]?.epochs || job.request?.training?.epochs || 0;
  let frac = job.state === 'SUCCEEDED' ? 1 : finished(job.state) && epochs ? (job.history ?? []).length / epochs : 0;
  if (!finished(job.state) && p && p.epochs) frac = Math.min(1, (p.epoch - 1 + (p.steps ? p.step / p.steps : 0)) / p.epochs);
  const bar = h('progress', {max: 1, 'aria-label': 'Training progress', class: 'job-progress'});
  bar.value = Math.min(1, frac);
  const text = [];
  if (p && !finished(job.state)) {
    text.push(`Epoch ${p.epoch} of ${p.epochs}, step ${p.step} of ${p.steps}, loss ${fmtNumber(p.loss, 4)}`);
    if (p.examples_per_second) text.push(`${fmtNumber(Math.round(p.examples_per_second))} examples/s`);
    if (p.eta_seconds > 0) text.push(`about ${fmtNumber(Math.ceil(p.eta_seconds))} s left`);
  } else if (job.state === 'QUEUED') {
    text.push('Queued: waiting for a training slot.');
  } else {
    text.push(`${(job.history ?? []).length} of ${epochs || '?'} epochs` + (job.lineage?.stopped_early ? ' (stopped early)' : ''));
  }
  return [h('h2', null, 'Progress'), bar, h('p', {class: 'progress-text'}, text.join(' · ')),
    h('p', {class: 'muted'}, `Created ${fmtTime(job.created)} · started ${fmtTime(job.started)} · finished ${fmtTime(job.finished)}`
      + (job.lineage?.duration_seconds ? ` · ${fmtNumber(job.lineage.duration_seconds, 3)} s` : ''))];
}

function settingsPart(job) {
  const ds = datasetOf(job);
  const l = job.lineage ?? {};
  const facts = [
    ['Dataset', ds.name === '–' ? '–' : h('a', {href: '#/datasets/' + seg(ds.name) + (ds.version ? '?version=' + ds.version : '')}, ds.text)],
    ['Dataset checksum', l.dataset?.sha256 ? h('code', null, l.dataset.sha256) : '–'],
    ['Model', modelType(job)], ['Engine', l.engine ?? '–'], ['Submitted by', job.created_by ?? '–'],
    ['Best epoch', l.best_epoch ?? '–'], ['Model checksum', l.artifact_sha256 ? h('code', null, l.artifact_sha256) : '–'],
  ];
  const s = settings(job);
  // Lineage (checksums, engine, best epoch) exists once the job has run: leave out what is not known yet.
  return [h('dl', {class: 'facts'}, facts.filter(([, v]) => v !== '–').map(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
    h('details', null, h('summary', null, 'All settings'), h('table', {class: 'grid settings'},
      h('tbody', null, Object.entries(s).map(([k, v]) => h('tr', null, h('th', {scope: 'row', class: 'mono'}, k),
        h('td', {class: 'mono'}, String(v))))))),
    h('details', null, h('summary', null, 'Request as JSON'), h('pre', null, JSON.stringify(job.request ?? {}, null, 2)))];
}

function actionButtons(job, ctx, refresh) {
  if (finished(job.state)) return [];
  return h('button', {type: 'button', class: 'danger', disabled: job.cancel_requested, onclick: async () => {
    if (!(await confirmDialog(`Cancel job #${job.id}? Its progress so far is lost.`, 'Cancel job'))) return;
    try {
      await post('/api/v1/jobs/' + job.id + '/cancel');
      toast('Cancelling job ' + job.id);
      if (ctx.isCurrent()) await refresh();
    } catch (e) {
      toast(e.message, 'error');
    }
  }}, job.cancel_requested ? 'Cancelling…' : 'Cancel');
}

function deployPart(job, ctx) {
  const links = (name) => h('p', {class: 'deployed'}, 'Serving as ', h('strong', null, name), ': ',
    h('a', {href: '#/models/' + seg(name)}, 'model page'), ' · ', h('a', {href: '#/playground/' + seg(name)}, 'try it in the playground'));
  const done = h('div', {'aria-live': 'polite'}, (job.deployments ?? []).map((d) => links(d.model)));
  const name = h('input', {name: 'model', required: true, autocomplete: 'off', value: datasetOf(job).name.replace(/[^A-Za-z0-9._-]/g, '') + '-job' + job.id});
  const status = h('div');
  const button = h('button', {type: 'submit'}, 'Deploy');
  return h('section', {class: 'card', 'aria-label': 'Deploy'}, h('h2', null, 'Deploy'),
    h('form', {class: 'inline', onsubmit: async (e) => {
      e.preventDefault();
      button.disabled = true;
      mount(status);
      try {
        const d = await post('/api/v1/jobs/' + job.id + '/deploy', {name: name.value.trim()});
        if (!ctx.isCurrent()) return;
        toast(`Deployed as ${d.model ?? name.value} version ${d.version ?? ''}`);
        done.append(links(d.model ?? name.value.trim()));
      } catch (err) {
        mount(status, errorBox(err));
      } finally {
        button.disabled = false;
      }
    }}, field('Model name', name), button), status, done);
}
