// One scoring job, live: GET /api/v1/scoring-jobs/{id}/events sends `progress` with the whole job whenever its state
// or committed rows change and ends after a finished job (EventSource would reconnect, so it is closed then; if the
// stream breaks for good, the page polls instead). Rows done of total, rows/s, state; Cancel asks first; a succeeded
// job links its predictions (GET .../output, a CSV the browser downloads with the session cookie).
import {h, mount, errorBox, badge, fmtNumber, fmtTime, toast, confirmDialog} from '../dom.js';
import {get, post, events, seg} from '../api.js';
import {SCORING, finished, rowsText, progressBar, refusal} from './scoring-lib.js';

export default async function render(main, ctx) {
  const id = Number(ctx.params.id);
  const back = h('p', null, h('a', {href: '#/scoring'}, '← Scoring jobs'));
  let job;
  try {
    job = await get(SCORING + '/' + id, {signal: ctx.signal});
  } catch (e) {
    if (e.name === 'AbortError' || !ctx.isCurrent()) return;
    mount(main, h('h1', null, 'Scoring job #' + id), back, refusal(e, `scoring job #${id}`));
    return;
  }
  if (!ctx.isCurrent()) return;
  const title = h('span');
  const actions = h('div', {class: 'actions'});
  const progress = h('section', {class: 'card', 'aria-label': 'Progress'});
  const info = h('section', {class: 'card', 'aria-label': 'Request'});
  const result = h('section', {'aria-label': 'Result'});
  const live = h('p', {class: 'muted live-state', 'aria-live': 'polite'});
  mount(main, h('div', {class: 'page-header'}, h('h1', null, 'Scoring job #' + id, ' ', title), actions),
    back, live, progress, result, info);

  const show = () => {
    mount(title, badge(job.state));
    mount(actions, cancelButton(job, ctx, refresh));
    mount(progress, progressPart(job));
    mount(info, h('h2', null, 'Request'), requestPart(job));
    mount(result, resultPart(job));
    live.textContent = finished(job.state) ? '' : 'Live: following the job as it scores.';
  };
  async function refresh() {
    const j = await get(SCORING + '/' + id);
    if (!ctx.isCurrent()) return;
    job = j;
    show();
    if (finished(job.state)) stop();
  }
  show();
  if (finished(job.state)) return;

  let poll = 0;
  let closed = false;
  const close = events(SCORING + '/' + id + '/events', {
    progress: (j) => {
      if (typeof j !== 'object' || j === null || closed) return;
      job = j;
      show();
      if (finished(job.state)) stop();
    },
  }, (_, es) => {
    // The stream ended or broke: EventSource retries by itself unless it gave up (readyState 2); then poll.
    if (es.readyState === 2 && !closed && !poll) poll = setInterval(() => refresh().catch(() => {}), 2000);
  });
  function stop() {
    closed = true;
    close();
    clearInterval(poll);
  }
  ctx.onCleanup(stop);
}

function progressPart(j) {
  const text = [rowsText(j)];
  if (j.rows_per_second) text.push(fmtNumber(Math.round(j.rows_per_second)) + ' rows/s');
  const left = j.rows_total && j.rows_per_second && !finished(j.state)
    ? (j.rows_total - (j.rows_done ?? 0)) / j.rows_per_second : 0;
  if (left > 0) text.push(`about ${fmtNumber(Math.ceil(left))} s left`);
  if (j.parts) text.push(j.parts + (j.parts === 1 ? ' part' : ' parts') + ' committed');
  if (j.runs > 1) text.push(`run ${j.runs} (taken over or restarted)`);
  if (j.state === 'QUEUED') text.push('queued: waiting for a scoring slot');
  return [h('h2', null, 'Progress'), progressBar(j, 'Scoring progress'),
    h('p', {class: 'progress-text'}, text.join(' · ')),
    h('p', {class: 'muted'}, `Created ${fmtTime(j.created)} · started ${fmtTime(j.started)} · finished ${fmtTime(j.finished)}`)];
}

function requestPart(j) {
  const r = j.request ?? {};
  const facts = [
    ['Model', r.model ?? '–'],
    ['Dataset', r.dataset ? h('a', {href: '#/datasets/' + seg(r.dataset) + (r.dataset_version ? '?version=' + r.dataset_version : '')},
      r.dataset + (r.dataset_version ? ' v' + r.dataset_version : '')) : '–'],
    ['Batch size', r.batch_size ?? '–'],
    ['Id column', r.id_column ?? '(row index)'],
    ['Submitted by', j.created_by ?? '–'],
  ];
  return h('dl', {class: 'facts'}, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function resultPart(j) {
  if (j.state === 'SUCCEEDED') {
    return h('div', {class: 'card scoring-output'}, h('h2', null, 'Predictions'),
      h('p', null, h('a', {href: SCORING + '/' + j.id + '/output', download: `scoring-${j.id}.csv`, class: 'button'},
        'Download predictions (CSV)'), ' ', h('span', {class: 'muted'}, rowsText(j) + ', one line each after the header.')));
  }
  if (j.state === 'FAILED') return [h('h2', null, 'Error'), errorBox(j.error ?? 'failed')];
  if (j.state === 'CANCELLED') {
    return h('p', {class: 'notice'}, 'This job was cancelled' + (j.error && j.error !== 'cancelled' ? ': ' + j.error : '.')
      + ' Its partial output is not offered for download.');
  }
  return null;
}

function cancelButton(j, ctx, refresh) {
  if (finished(j.state)) return [];
  return h('button', {type: 'button', class: 'danger', disabled: j.cancel_requested, onclick: async () => {
    if (!(await confirmDialog(`Cancel scoring job #${j.id}? The rows scored so far are not kept for download.`, 'Cancel job'))) return;
    try {
      await post(SCORING + '/' + j.id + '/cancel');
      toast('Cancelling scoring job ' + j.id);
      if (ctx.isCurrent()) await refresh();
    } catch (e) {
      toast(e.message, 'error');
    }
  }}, j.cancel_requested ? 'Cancelling…' : 'Cancel');
}
