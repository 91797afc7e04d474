// DOM building without innerHTML: every string becomes a text node or an attribute value, so a model name, card,
// dataset column or audit field that holds markup is shown as text and never runs.

const SAFE_URL = /^(?:#|\/(?!\/)|https?:\/\/|mailto:)/i;

/** A link target that cannot run code: javascript:, data: and the like become '#'. */
export function safeHref(url) {
  const u = String(url ?? '').trim();
  return SAFE_URL.test(u) ? u : '#';
}

/**
 * h('a', {href: '#/models', class: 'x', onclick: fn}, 'text', child, [more]) builds an element.
 * Attributes named on* take functions only (listeners); href/src go through safeHref; null/false skip.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) {
      if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    } else if (k === 'href' || k === 'src' || k === 'action') {
      el.setAttribute(k, safeHref(v));
    } else if (k === 'style') {
      throw new Error('style attributes break the CSP; use a class');
    } else if (k === 'value' && 'value' in el) {
      el.value = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table from columns [{title, cell: row => node|string, class?}] and rows; an empty list says so. */
export function table(columns, rows, empty = 'Nothing here yet.') {
  if (!rows.length) return h('p', {class: 'muted'}, empty);
  return h('table', {class: 'grid'},
    h('thead', null, h('tr', null, columns.map((c) => h('th', {scope: 'col', class: c.class}, c.title)))),
    h('tbody', null, rows.map((r) => h('tr', null, columns.map((c) => h('td', {class: c.class}, c.cell(r)))))));
}

/** A state word as a coloured badge (ready, failed, running...). */
export function badge(state) {
  const s = String(state ?? 'unknown').toLowerCase();
  return h('span', {class: 'badge badge-' + s.replace(/[^a-z]/g, '')}, s);
}

export function fmtNumber(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (typeof x !== 'number') return String(x);
  return Math.abs(x) >= 1000 || Number.isInteger(x) ? x.toLocaleString('en') : x.toPrecision(digits);
}

export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

/** Shows a short message in the live region (read out by screen readers). */
export function toast(message, kind = 'info') {
  const t = document.getElementById('toast');
  mount(t, h('div', {class: 'toast toast-' + kind}, message));
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.replaceChildren(), 6000);
}

/** Asks before an action that changes things; resolves true when confirmed. Esc or Cancel resolves false. */
export function confirmDialog(message, confirmLabel = 'Confirm') {
  return new Promise((resolve) => {
    const dlg = h('dialog', {class: 'confirm', 'aria-label': 'Confirm'},
      h('p', null, message),
      h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'secondary', onclick: () => dlg.close('cancel')}, 'Cancel'),
        h('button', {type: 'button', class: 'danger', onclick: () => dlg.close('ok')}, confirmLabel)));
    dlg.addEventListener('close', () => { dlg.remove(); resolve(dlg.returnValue === 'ok'); });
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** A page heading plus optional actions on the right. */
export function pageHeader(title, ...actions) {
  return h('div', {class: 'page-header'}, h('h1', null, title), h('div', {class: 'actions'}, actions));
}

/** A labelled form field; the label is tied to the control for screen readers. */
let fieldIds = 0;
export function field(label, control, hint) {
  const id = control.id || 'f' + ++fieldIds;
  control.id = id;
  return h('div', {class: 'field'}, h('label', {for: id}, label), control, hint ? h('small', {class: 'muted'}, hint) : null);
}

/** An error shown in place (role=alert so it is announced). */
export function errorBox(err) {
  return h('div', {class: 'error', role: 'alert'}, err?.message ?? String(err));
}
