// Datasets: the list (newest version of each; paged when the server sends X-Total-Count) and the upload form, which
// sends the file as the request body with its reading options in the query, showing upload progress.
import {h, mount, table, pageHeader, field, errorBox, fmtNumber, fmtTime, toast} from '../dom.js';
import {page, upload, seg} from '../api.js';

const PAGE = 25;

export default async function render(main, ctx) {
  const offset = Math.max(0, Number(ctx.query.get('offset')) || 0);
  const q = ctx.query.get('q') || '';
  const list = h('div', {'aria-live': 'polite'}, h('p', {class: 'muted'}, 'Loading…'));
  mount(main, pageHeader('Datasets', h('a', {href: '#/jobs/new'}, 'New job')),
    uploadForm(ctx), h('h2', null, 'Stored datasets'), searchForm(ctx, q), list);
  await showList(list, ctx, offset, q);
}

function searchForm(ctx, q) {
  const input = h('input', {type: 'search', name: 'q', value: q});
  return h('form', {class: 'filters', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    ctx.go('#/datasets' + (input.value.trim() ? '?q=' + encodeURIComponent(input.value.trim()) : ''));
  }}, field('Name contains', input), h('button', {type: 'submit', class: 'secondary'}, 'Filter'));
}

async function showList(list, ctx, offset, q) {
  let res;
  try {
    res = await page('/api/v1/datasets', {limit: PAGE, offset, q});
  } catch (e) {
    mount(list, errorBox(e));
    return;
  }
  if (!ctx.isCurrent()) return;
  let items = res.items;
  const paged = res.total !== null;
  // A server without paging ignores limit/offset/q and sends everything: filter here then.
  if (!paged && q) items = items.filter((d) => String(d.name).toLowerCase().includes(q.toLowerCase()));
  const cols = [
    {title: 'Name', cell: (d) => h('a', {href: '#/datasets/' + seg(d.name)}, d.name)},
    {title: 'Versions', class: 'num', cell: (d) => fmtNumber(d.version)},
    {title: 'Format', cell: (d) => d.format ?? '–'},
    {title: 'Task', cell: (d) => (d.task ? d.task.toLowerCase() : '–')},
    {title: 'Rows', class: 'num', cell: (d) => fmtNumber(d.rows)},
    {title: 'Classes', class: 'num', cell: (d) => (d.classes ? fmtNumber(d.classes.length) : '–')},
    {title: 'Created', cell: (d) => fmtTime(d.created)},
  ];
  mount(list, table(cols, items, q ? 'No dataset matches.' : 'No datasets yet: upload one above.'),
    paged ? pager(ctx, offset, res.total, q) : null);
}

function pager(ctx, offset, total, q) {
  const link = (o) => '#/datasets?offset=' + o + (q ? '&q=' + encodeURIComponent(q) : '');
  return h('nav', {class: 'pager', 'aria-label': 'Pages'},
    offset > 0 ? h('a', {href: link(Math.max(0, offset - PAGE))}, '← Previous') : null,
    h('span', {class: 'muted'}, total ? `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total}` : '0 datasets'),
    offset + PAGE < total ? h('a', {href: link(offset + PAGE)}, 'Next →') : null);
}

const FORMATS = [['', 'detect'], ['csv', 'CSV (label column)'], ['text_csv', 'CSV of labelled texts'],
  ['image_folder', 'image folder (zip)'], ['idx', 'IDX (MNIST style)'], ['text_folder', 'text folder (zip)']];

function uploadForm(ctx) {
  const name = h('input', {name: 'name', required: true, autocomplete: 'off', pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*',
    title: 'letters, digits, dot, dash, underscore'});
  const file = h('input', {type: 'file', name: 'file', required: true, accept: '.csv,.tsv,.txt,.zip,.gz'});
  const label = h('input', {name: 'label', placeholder: 'e.g. label', autocomplete: 'off'});
  const text = h('input', {name: 'text', placeholder: 'text CSV only'});
  const format = h('select', {name: 'format'}, FORMATS.map(([v, l]) => h('option', {value: v}, l)));
  const task = h('select', {name: 'task'}, [['', 'detect from labels'], ['classification', 'classification'],
    ['regression', 'regression']].map(([v, l]) => h('option', {value: v}, l)));
  const delimiter = h('select', {name: 'delimiter'}, [['', 'detect'], [',', 'comma'], [';', 'semicolon'],
    ['\t', 'tab'], ['|', 'pipe']].map(([v, l]) => h('option', {value: v}, l)));
  const drop = h('input', {name: 'drop', placeholder: 'e.g. email,phone'});
  const bar = h('progress', {max: 1, value: 0, 'aria-label': 'Upload progress', hidden: true});
  const status = h('div', {'aria-live': 'polite'});
  const submit = h('button', {type: 'submit'}, 'Upload');
  const form = h('form', {class: 'card', 'aria-label': 'Upload a dataset', onsubmit: async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f || !name.value.trim()) return;
    const q = new URLSearchParams();
    for (const [k, el] of [['label', label], ['text', text], ['format', format], ['task', task],
      ['delimiter', delimiter], ['drop', drop]]) if (el.value.trim()) q.set(k, k === 'delimiter' ? el.value : el.value.trim());
    const zip = /\.zip$/i.test(f.name);
    if (zip) q.set('archive', 'zip');
    submit.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    mount(status, h('span', {class: 'muted'}, 'Uploading ' + f.name + '…'));
    try {
      const d = await upload('POST', '/api/v1/datasets/' + seg(name.value.trim()) + (q.size ? '?' + q : ''), f,
        (p) => { bar.value = p; }, zip ? 'application/zip' : f.type || 'text/csv');
      bar.value = 1;
      toast(`Stored ${d.name} version ${d.version}`);
      if (ctx.isCurrent()) ctx.go('#/datasets/' + seg(d.name) + '?version=' + d.version);
    } catch (err) {
      bar.hidden = true;
      mount(status, errorBox(err));
    } finally {
      submit.disabled = false;
    }
  }},
  h('h2', null, 'Upload a dataset'),
  h('div', {class: 'inline'}, field('Dataset name', name), field('File', file)),
  h('div', {class: 'inline'}, field('Label column', label, 'CSV: the column to predict'), field('Format', format),
    field('Task', task), field('Delimiter', delimiter)),
  h('details', null, h('summary', null, 'More options'),
    h('div', {class: 'inline'}, field('Text column', text), field('Drop columns', drop, 'removed before storage'))),
  h('div', {class: 'actions'}, submit), bar, status);
  return form;
}
