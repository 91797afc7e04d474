// One dataset: its versions, and per version what it holds (rows, columns with the types seen in the first rows,
// class balance, checksum, storage, policy, the jobs and models made from it) and a preview of its first rows.
// Every column name and cell is user data: it goes into the DOM as text only.
import {h, mount, table, pageHeader, errorBox, fmtNumber, fmtTime} from '../dom.js';
import {get, seg} from '../api.js';

const SHOWN = 20;   // preview rows in the table
const SAMPLE = 100; // rows read for column types and class balance (the preview's cap)
const VERSIONS = 20;

export default async function render(main, ctx) {
  const name = ctx.params.name;
  const newest = await get('/api/v1/datasets/' + seg(name), {signal: ctx.signal});
  if (!ctx.isCurrent()) return;
  const version = Math.min(newest.version, Math.max(1, Number(ctx.query.get('version')) || newest.version));
  const detail = h('div', null, h('p', {class: 'muted'}, 'Loading…'));
  mount(main, pageHeader('Dataset ' + name,
    h('a', {href: '#/jobs/new?dataset=' + encodeURIComponent(name) + '&version=' + version, class: 'button'}, 'Train on this'),
    h('a', {href: '#/scoring/new?dataset=' + encodeURIComponent(name) + '&version=' + version}, 'Score it')),
  h('p', null, h('a', {href: '#/datasets'}, '← Datasets')),
  versionsNav(name, newest.version, version), detail);
  await showVersion(detail, ctx, name, version);
}

function versionsNav(name, latest, current) {
  const from = Math.max(1, latest - VERSIONS + 1);
  const links = [];
  for (let v = latest; v >= from; v--) {
    links.push(h('li', null, h('a', {href: '#/datasets/' + seg(name) + '?version=' + v,
      'aria-current': v === current ? 'page' : null}, 'v' + v + (v === latest ? ' (newest)' : ''))));
  }
  return h('nav', {class: 'versions', 'aria-label': 'Versions'}, h('h2', null, 'Versions'),
    h('ul', {class: 'version-list'}, links),
    from > 1 ? h('p', {class: 'muted'}, `Older versions: v1–v${from - 1} (open one with ?version=N).`) : null);
}

async function showVersion(el, ctx, name, version) {
  const base = '/api/v1/datasets/' + seg(name) + '/versions/' + version;
  let d;
  try {
    d = await get(base, {signal: ctx.signal});
  } catch (e) {
    mount(el, errorBox(e));
    return;
  }
  const fmt = String(d.format ?? '').toUpperCase();
  const csv = fmt === 'CSV' || fmt === 'TEXT_CSV';
  let preview = null;
  let previewError = null;
  if (csv) {
    try {
      preview = await get(base + '/preview?rows=' + SAMPLE, {signal: ctx.signal});
    } catch (e) {
      previewError = e;
    }
  }
  if (!ctx.isCurrent()) return;
  const columns = preview?.columns ?? [];
  const labelName = d.options?.label_column ?? d.options?.label ?? (fmt === 'CSV' ? columns[columns.length - 1] : null);
  mount(el,
    h('h2', null, `Version ${d.version}`),
    h('div', {class: 'cards'},
      stat('Rows', fmtNumber(d.rows)), stat('Format', d.format ?? '–'),
      stat('Task', d.task ? d.task.toLowerCase() : '–'),
      stat('Classes', d.classes?.length ? fmtNumber(d.classes.length) : '–'),
      stat('Size', d.size_bytes !== undefined ? fmtNumber(d.size_bytes) + ' bytes' : '–')),
    h('div', {class: 'cols'},
      h('section', {class: 'card', 'aria-label': 'Details'}, h('h3', null, 'Details'), details(d)),
      h('section', {class: 'card', 'aria-label': 'Class balance'}, h('h3', null, 'Class balance'),
        classBalance(d, preview, labelName))),
    h('h3', null, 'Columns'),
    columnTable(d, preview, labelName),
    h('h3', null, 'Preview'),
    previewPart(d, preview, previewError));
}

const stat = (label, value) => h('div', {class: 'stat'}, h('div', {class: 'value'}, value), h('div', {class: 'label'}, label));

function details(d) {
  const rows = [
    ['Checksum (SHA-256)', h('code', {class: 'checksum'}, d.sha256 ?? '–')],
    ['Created', fmtTime(d.created)],
    ['Created by', d.created_by ?? '–'],
    ['Label column', d.options?.label_column ?? d.options?.label ?? '–'],
    ['Stored', d.stored ? `${d.stored.store ?? ''}${d.stored.encrypted ? ', encrypted' : ''}` : '–'],
    ['Column policy', policyText(d.policy)],
    ['Retention', d.retention ? d.retention + (d.expires ? ' (expires ' + fmtTime(d.expires) + ')' : '') : 'kept for ever'],
    ['Jobs', d.jobs?.length ? d.jobs.map((id, i) => [i ? ', ' : '', h('a', {href: '#/jobs/' + id}, '#' + id)]) : 'none yet'],
    ['Models', d.models?.length ? d.models.map((m, i) => [i ? ', ' : '',
      h('a', {href: '#/models/' + seg(String(m).split(':')[0])}, m)]) : 'none'],
  ];
  return h('dl', {class: 'facts'}, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function policyText(p) {
  if (!p || typeof p !== 'object') return 'none';
  const parts = Object.entries(p).filter(([, v]) => (Array.isArray(v) ? v.length : v && Object.keys(v).length))
    .map(([k, v]) => k + ': ' + (Array.isArray(v) ? v.join(', ') : JSON.stringify(v)));
  return parts.length ? parts.join('; ') : 'none';
}

/** Column types as the first rows show them: all numbers → numeric, else text (with distinct values). */
function columnTypes(preview) {
  return (preview?.columns ?? []).map((c, i) => {
    const vals = preview.rows.map((r) => r[i]).filter((v) => v !== undefined && v !== '');
    const numeric = vals.length > 0 && vals.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
    return {name: c, type: vals.length ? (numeric ? 'numeric' : 'text') : 'empty',
      distinct: new Set(vals).size, missing: preview.rows.length - vals.length};
  });
}

function columnTable(d, preview, labelName) {
  if (!preview) {
    const cols = d.columns ?? [];
    return cols.length ? h('ul', {class: 'column-list'}, cols.map((c) => h('li', null, c)))
      : h('p', {class: 'muted'}, 'This format has no named columns.');
  }
  const types = columnTypes(preview);
  return h('div', null, table([
    {title: 'Column', cell: (c) => h('span', {class: 'mono'}, c.name)},
    {title: 'Role', cell: (c) => (c.name === labelName ? 'label' : 'feature')},
    {title: 'Type', cell: (c) => c.type},
    {title: 'Distinct', class: 'num', cell: (c) => fmtNumber(c.distinct)},
    {title: 'Missing', class: 'num', cell: (c) => fmtNumber(c.missing)},
  ], types), h('p', {class: 'muted'}, `Types and counts from the first ${preview.rows.length} rows.`));
}

function classBalance(d, preview, labelName) {
  let counts = null;
  let note = '';
  if (d.text?.class_counts) {
    counts = Object.entries(d.text.class_counts);
    note = 'Over all rows.';
  } else if (preview && d.task === 'CLASSIFICATION') {
    const i = preview.columns.indexOf(labelName);
    if (i >= 0) {
      const m = new Map((d.classes ?? []).map((c) => [c, 0]));
      for (const r of preview.rows) m.set(r[i], (m.get(r[i]) ?? 0) + 1);
      counts = [...m.entries()];
      note = `In the first ${preview.rows.length} of ${fmtNumber(d.rows)} rows (the API gives no count over all rows).`;
    }
  }
  if (!counts) {
    return h('p', {class: 'muted'}, d.task === 'REGRESSION' ? 'A regression dataset: no classes.'
      : d.classes?.length ? 'Classes: ' + d.classes.join(', ') : 'No class counts for this format.');
  }
  const max = Math.max(1, ...counts.map(([, n]) => n));
  const total = counts.reduce((s, [, n]) => s + n, 0) || 1;
  return h('div', null, h('table', {class: 'grid balance'},
    h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'Class'), h('th', {scope: 'col', class: 'num'}, 'Rows'),
      h('th', {scope: 'col'}, 'Share'))),
    h('tbody', null, counts.map(([c, n]) => {
      const bar = h('span', {class: 'bar', 'aria-hidden': 'true'});
      bar.style.width = Math.round((n / max) * 100) + 'px';
      return h('tr', null, h('th', {scope: 'row'}, c), h('td', {class: 'num'}, fmtNumber(n)),
        h('td', null, bar, ' ', (100 * n / total).toFixed(1) + '%'));
    }))), h('p', {class: 'muted'}, note));
}

function previewPart(d, preview, error) {
  if (error) return errorBox(error);
  if (!preview) {
    return h('p', {class: 'notice'}, /IMAGE|IDX/i.test(d.format ?? '')
      ? 'An image dataset: the API has no way to show its images (only CSV versions have a preview); '
        + 'download the version with GET /api/v1/datasets/{name}/versions/{version}/data.'
      : 'Only CSV versions have a row preview.');
  }
  const rows = preview.rows.slice(0, SHOWN);
  return h('div', {class: 'scroll'}, h('table', {class: 'grid preview', 'aria-label': 'First rows'},
    h('thead', null, h('tr', null, preview.columns.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', null, rows.map((r) => h('tr', null, preview.columns.map((_, i) => h('td', null, r[i] ?? '')))))),
  h('p', {class: 'muted'}, `The first ${rows.length} rows` + (preview.more || preview.rows.length > rows.length
    ? ` of ${fmtNumber(d.rows)}.` : '.')));
}
