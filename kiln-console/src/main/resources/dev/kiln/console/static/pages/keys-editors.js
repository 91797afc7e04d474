// The key form's editors: scopes as rows of action + name glob, limits (key-wide and per model) as number fields.
// Each editor keeps its own rows and answers what the API wants (scope strings, a Limits record) or throws an Error
// naming the field to fix, so the form can say it before the server does.
import {h, mount} from '../dom.js';

/** Actions of a scope (README "API keys"); train and admin take no name glob. */
const ACTIONS = [
  ['invoke', 'invoke: call models'],
  ['manage', 'manage: registry, load/unload'],
  ['train', 'train: datasets and jobs'],
  ['dataset', 'dataset: read datasets'],
  ['admin', 'admin: everything'],
];
const NO_GLOB = new Set(['train', 'admin']);
/** The server's own glob grammar (Scope.GLOB): nothing else, so a scope never matches what its text hides. */
const GLOB = /^[A-Za-z0-9_.*-]{1,64}$/;

let rowIds = 0;

/** A scope editor: rows of action + model (or dataset) glob; value() → ['invoke:add_sub', 'train', ...]. */
export function scopeEditor(initial = [['invoke', '*']]) {
  const rows = [];
  const list = h('div', {class: 'editor-rows'});
  const add = h('button', {type: 'button', class: 'secondary', onclick: () => addRow('invoke', '')}, 'Add scope');

  function addRow(action, glob) {
    const n = ++rowIds;
    const select = h('select', {id: 'scope-action-' + n, 'aria-label': 'Scope ' + n + ' action'},
      ACTIONS.map(([v, label]) => h('option', {value: v, selected: v === action}, label)));
    const input = h('input', {id: 'scope-glob-' + n, value: glob, placeholder: 'model name or glob, e.g. mnist-*',
      'aria-label': 'Scope ' + n + ' names', spellcheck: 'false', autocomplete: 'off'});
    const sync = () => { input.disabled = NO_GLOB.has(select.value); if (input.disabled) input.value = ''; };
    select.addEventListener('change', sync);
    sync();
    const row = {select, input};
    const el = h('div', {class: 'inline editor-row'}, select, input,
      h('button', {type: 'button', class: 'link', 'aria-label': 'Remove scope ' + n, onclick: () => {
        rows.splice(rows.indexOf(row), 1);
        el.remove();
        add.focus();
      }}, 'Remove'));
    row.el = el;
    rows.push(row);
    list.append(el);
    return row;
  }
  for (const [a, g] of initial) addRow(a, g);

  return {
    el: h('fieldset', {class: 'editor'}, h('legend', null, 'Scopes'),
      h('small', {class: 'muted'}, 'What the key may do, and on which models (datasets for "dataset"): a name, or a glob where * matches any run of characters.'),
      list, add),
    value() {
      const out = [];
      for (const {select, input} of rows) {
        if (NO_GLOB.has(select.value)) { out.push(select.value); continue; }
        const glob = input.value.trim() || '*';
        if (!GLOB.test(glob)) {
          input.focus();
          throw new Error(`scope names "${glob}": use only letters, digits, _ . - and *`);
        }
        out.push(select.value + ':' + glob);
      }
      if (!out.length) throw new Error('give the key at least one scope');
      return [...new Set(out)];
    },
    reset() { rows.splice(0).forEach((r) => r.el.remove()); addRow('invoke', '*'); },
  };
}

const LIMIT_FIELDS = [
  ['requests_per_minute', 'Requests / minute'],
  ['requests_per_day', 'Requests / day'],
  ['tokens_per_day', 'Tokens / day'],
];

function limitInputs(prefix, labelSuffix) {
  return LIMIT_FIELDS.map(([k, label]) => {
    const id = prefix + '-' + k;
    const input = h('input', {id, type: 'number', min: '1', step: '1', inputmode: 'numeric', placeholder: 'no limit'});
    return {k, label: label + labelSuffix, input,
      el: h('div', {class: 'field'}, h('label', {for: id}, label + labelSuffix), input)};
  });
}

function readLimits(inputs, where) {
  const out = {};
  for (const {k, label, input} of inputs) {
    const raw = input.value.trim();
    if (!raw) continue;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 1) {
      input.focus();
      throw new Error(`${label}${where}: a whole number of at least 1, or empty for no limit`);
    }
    out[k] = v;
  }
  return out;
}

/** Key-wide limits plus per-model rows; value() → {limits, model_limits} with only the fields given. */
export function limitsEditor() {
  const wide = limitInputs('lim', '');
  const models = [];
  const list = h('div', {class: 'editor-rows'});
  const add = h('button', {type: 'button', class: 'secondary', onclick: () => addModel().name.focus()}, 'Add a per-model limit');

  function addModel() {
    const n = ++rowIds;
    const name = h('input', {id: 'ml-name-' + n, placeholder: 'model name', spellcheck: 'false', autocomplete: 'off'});
    const inputs = limitInputs('ml-' + n, ' (model)');
    const row = {name, inputs};
    row.el = h('div', {class: 'inline editor-row'},
      h('div', {class: 'field'}, h('label', {for: name.id}, 'Model'), name), inputs.map((i) => i.el),
      h('button', {type: 'button', class: 'link', 'aria-label': 'Remove per-model limit ' + n, onclick: () => {
        models.splice(models.indexOf(row), 1);
        row.el.remove();
        add.focus();
      }}, 'Remove'));
    models.push(row);
    list.append(row.el);
    return row;
  }

  return {
    el: h('fieldset', {class: 'editor'}, h('legend', null, 'Limits'),
      h('small', {class: 'muted'}, 'Empty means no limit. Over a limit the key gets 429 with Retry-After; days are UTC days.'),
      h('div', {class: 'inline'}, wide.map((i) => i.el)), list, add),
    value() {
      const body = {};
      const limits = readLimits(wide, '');
      if (Object.keys(limits).length) body.limits = limits;
      for (const {name, inputs} of models) {
        const model = name.value.trim();
        const l = readLimits(inputs, model ? ' for ' + model : '');
        if (!model) {
          if (!Object.keys(l).length) continue;
          name.focus();
          throw new Error('a per-model limit needs the model\'s name');
        }
        if (!Object.keys(l).length) continue;
        (body.model_limits ??= {})[model] = l;
      }
      return body;
    },
    reset() {
      wide.forEach((i) => { i.input.value = ''; });
      models.splice(0).forEach((r) => r.el.remove());
    },
  };
}

/** One line per limit: "600/min · 100,000 requests/day"; per-model limits after the model's name. */
export function describeLimits(limits, modelLimits) {
  const one = (l) => [
    l?.requests_per_minute && fmt(l.requests_per_minute) + '/min',
    l?.requests_per_day && fmt(l.requests_per_day) + ' requests/day',
    l?.tokens_per_day && fmt(l.tokens_per_day) + ' tokens/day',
  ].filter(Boolean).join(' · ');
  const lines = [];
  if (one(limits)) lines.push(one(limits));
  for (const [m, l] of Object.entries(modelLimits ?? {})) if (one(l)) lines.push(m + ': ' + one(l));
  return lines;
}

const fmt = (n) => Number(n).toLocaleString('en');

/** A key's state from its dates: revoked, expired or active. */
export function keyState(k, now = Date.now()) {
  if (k.revoked) return 'revoked';
  if (k.expires && Date.parse(k.expires) <= now) return 'expired';
  return 'active';
}

/** Shows a list of lines as separate text lines (no markup from data). */
export function lines(list, empty = '–') {
  if (!list.length) return h('span', {class: 'muted'}, empty);
  const el = h('div');
  mount(el, list.map((l) => h('div', null, l)));
  return el;
}
