// API keys (admin): the list with scopes, limits and state; create with scopes and limits; rotate and revoke with
// confirmation. A new or rotated token is shown once (keys-secret.js). GET /api/v1/keys answers every key at once,
// so the list is filtered and paged here.
import {h, mount, table, badge, fmtTime, toast, confirmDialog, pageHeader, field, errorBox} from '../dom.js';
import {get, post, session, seg} from '../api.js';
import {scopeEditor, limitsEditor, describeLimits, keyState, lines} from './keys-editors.js';
import {secretCard} from './keys-secret.js';

const PAGE = 25;

export default async function render(main, ctx) {
  if (!session.admin) {
    mount(main, pageHeader('API keys'), h('p', {class: 'notice'}, 'Only an admin key can see and manage keys. ',
      h('a', {href: '#/usage'}, 'Your usage'), ' is on the usage page.'));
    return;
  }
  const secretSlot = h('div');
  const listSlot = h('div', {'aria-live': 'polite'});
  const state = {keys: [], filter: ctx.query.get('state') || 'all', q: ctx.query.get('q') || '', offset: 0};

  async function load() {
    state.keys = await get('/api/v1/keys', {signal: ctx.signal});
    state.keys.sort((a, b) => String(b.created).localeCompare(String(a.created)));
    draw();
  }

  function showSecret(title, token, focusBack, signedOut = false) {
    // Focus goes back where the user was; a rotated key's row was drawn again, so then to the list's heading. When
    // the console's own key was rotated its session has ended: once the token is copied, on to sign in again.
    const s = secretCard(title, token, () => {
      if (signedOut) window.dispatchEvent(new Event('kiln:signed-out'));
      else (focusBack?.isConnected ? focusBack : listSlot.querySelector('h2'))?.focus();
    });
    mount(secretSlot, s.card);
    s.card.scrollIntoView({block: 'nearest'});
    s.focus();
  }

  async function rotate(k, button) {
    const own = session.auth && k.id === session.key;
    const note = own ? ' It is the key you signed in with: you sign in again with the new token.' : '';
    if (!await confirmDialog(`Rotate key "${k.name ?? k.id}"? Its current token stops working at once; you get a new one.${note}`, 'Rotate')) return;
    try {
      const r = await post('/api/v1/keys/' + seg(k.id) + '/rotate');
      showSecret(`New token for "${r.name ?? r.id}"`, r.token, button, own);
      if (!own) await load(); // with its own key rotated the session is over: a reload would leave the token unseen
    } catch (e) { toast(e.message, 'error'); }
  }

  async function revoke(k) {
    const own = session.auth && k.id === session.key ? ' It is the key you signed in with: this console signs out too.' : '';
    if (!await confirmDialog(`Revoke key "${k.name ?? k.id}"? Every call with it is refused from now on; this cannot be undone.${own}`, 'Revoke')) return;
    try {
      await post('/api/v1/keys/' + seg(k.id) + '/revoke');
      toast(`Key "${k.name ?? k.id}" revoked.`);
      await load();
      listSlot.querySelector('h2')?.focus();
    } catch (e) { toast(e.message, 'error'); }
  }

  // created_by is the creating key's id (or who made it outside the API): its name where that key is listed.
  const creator = (id) => {
    const by = state.keys.find((x) => x.id === id);
    return by?.name ? `${by.name} (${id})` : id ?? '–';
  };

  const columns = [
    {title: 'Name', cell: (k) => h('div', null, h('div', null, k.name || h('span', {class: 'muted'}, '(no name)')),
      h('code', {class: 'muted'}, k.id))},
    {title: 'Scopes', cell: (k) => h('div', {class: 'scopes'}, (k.scopes ?? []).map((s) => h('code', {class: 'scope'}, s)))},
    {title: 'Limits', cell: (k) => lines(describeLimits(k.limits, k.model_limits), 'none')},
    {title: 'Created', cell: (k) => h('div', null, h('div', {class: 'nowrap'}, fmtTime(k.created)),
      h('div', {class: 'muted'}, 'by ', creator(k.created_by)))},
    {title: 'Expires', cell: (k) => (k.expires ? h('span', {class: 'nowrap'}, fmtTime(k.expires)) : h('span', {class: 'muted'}, 'never'))},
    {title: 'State', cell: (k) => h('div', null, badge(keyState(k)),
      k.revoked ? h('div', {class: 'muted nowrap'}, fmtTime(k.revoked)) : null)},
    {title: 'Actions', cell: (k) => keyState(k) === 'revoked' ? h('span', {class: 'muted'}, '–') : h('div', {class: 'actions'},
      h('button', {type: 'button', class: 'secondary', 'aria-label': `Rotate key ${k.name ?? k.id}`,
        onclick: (e) => rotate(k, e.currentTarget)}, 'Rotate'),
      h('button', {type: 'button', class: 'danger', 'aria-label': `Revoke key ${k.name ?? k.id}`,
        onclick: () => revoke(k)}, 'Revoke'))},
  ];

  function draw() {
    const q = state.q.toLowerCase();
    const shown = state.keys.filter((k) => (state.filter === 'all' || keyState(k) === state.filter)
      && (!q || [k.name, k.id, ...(k.scopes ?? [])].some((s) => String(s ?? '').toLowerCase().includes(q))));
    if (state.offset >= shown.length) state.offset = Math.max(0, Math.floor((shown.length - 1) / PAGE) * PAGE);
    const pageRows = shown.slice(state.offset, state.offset + PAGE);
    const counts = {active: 0, revoked: 0, expired: 0};
    state.keys.forEach((k) => counts[keyState(k)]++);
    mount(listSlot,
      h('h2', {tabindex: '-1'}, `Keys (${counts.active} active, ${counts.revoked} revoked, ${counts.expired} expired)`),
      keyTable(columns, pageRows, state.keys.length ? 'No key matches the filter.' : 'No keys yet.'),
      shown.length > PAGE ? h('nav', {class: 'pager', 'aria-label': 'Key pages'},
        h('button', {type: 'button', class: 'secondary', disabled: state.offset === 0,
          onclick: () => { state.offset -= PAGE; draw(); }}, 'Previous'),
        h('span', null, `${state.offset + 1}–${state.offset + pageRows.length} of ${shown.length}`),
        h('button', {type: 'button', class: 'secondary', disabled: state.offset + PAGE >= shown.length,
          onclick: () => { state.offset += PAGE; draw(); }}, 'Next')) : null);
  }

  const filterState = h('select', {onchange: (e) => { state.filter = e.target.value; state.offset = 0; draw(); }},
    ['all', 'active', 'revoked', 'expired'].map((s) => h('option', {value: s, selected: s === state.filter}, s)));
  const filterText = h('input', {type: 'search', value: state.q, placeholder: 'name, id or scope',
    oninput: (e) => { state.q = e.target.value; state.offset = 0; draw(); }});

  mount(main,
    pageHeader('API keys'),
    secretSlot,
    createForm(async (created, submit) => {
      showSecret(`Token for "${created.name ?? created.id}"`, created.token, submit);
      await load();
    }),
    h('div', {class: 'filters'}, field('State', filterState), field('Filter', filterText)),
    listSlot);
  try { await load(); } catch (e) { if (e.name !== 'AbortError') mount(listSlot, errorBox(e)); }
}

function keyTable(columns, rows, empty) {
  const t = table(columns, rows, empty);
  t.classList.add('keys');
  return t;
}

/** The create form: name, scopes, limits, expiry; onCreated gets the answer (with its token) and the submit button. */
function createForm(onCreated) {
  const name = h('input', {name: 'name', required: true, maxlength: '200', autocomplete: 'off', placeholder: 'e.g. shop-frontend'});
  const expires = h('input', {name: 'expires_in_days', type: 'number', min: '1', step: '1', placeholder: 'never'});
  const scopes = scopeEditor();
  const limits = limitsEditor();
  const status = h('div');
  const submit = h('button', {type: 'submit'}, 'Create key');
  const form = h('form', {class: 'card key-form', 'aria-labelledby': 'create-title', onsubmit: async (e) => {
    e.preventDefault();
    mount(status);
    let body;
    try {
      body = {name: name.value.trim(), scopes: scopes.value(), ...limits.value()};
      if (!body.name) { name.focus(); throw new Error('give the key a name'); }
      const days = expires.value.trim();
      if (days) {
        const d = Number(days);
        if (!Number.isInteger(d) || d < 1) { expires.focus(); throw new Error('expires in: a whole number of days, at least 1, or empty for never'); }
        body.expires_in_days = d;
      }
    } catch (err) {
      mount(status, errorBox(err));
      return;
    }
    submit.disabled = true;
    try {
      const created = await post('/api/v1/keys', body);
      form.reset();
      scopes.reset();
      limits.reset();
      await onCreated(created, submit);
    } catch (err) {
      mount(status, errorBox(err));
    } finally {
      submit.disabled = false;
    }
  }},
  h('h2', {id: 'create-title'}, 'Create a key'),
  h('div', {class: 'inline top-aligned'}, field('Name', name), field('Expires in (days)', expires, 'Empty: never expires')),
  scopes.el, limits.el, status, h('div', {class: 'actions'}, submit));
  return form;
}
