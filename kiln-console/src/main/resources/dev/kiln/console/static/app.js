// The console's shell: hash routes to page modules, the navigation, and sign-in. A page module exports
// `default async function render(main, ctx)`; ctx = {params, query, signal, onCleanup(fn), go(hash)}. Timers, event
// streams and charts a page opens are closed through onCleanup when the user leaves it.
import {h, mount, errorBox} from './dom.js';
import {session, loadSession, signOut} from './api.js';

/** [pattern, page module, title, navigation section]; the first match wins. */
const ROUTES = [
  ['/', 'overview', 'Overview', 'overview'],
  ['/signin', 'signin', 'Sign in', null],
  ['/models', 'models', 'Models', 'models'],
  ['/models/:name', 'model', 'Model', 'models'],
  ['/models/:name/versions/:version', 'version', 'Model version', 'models'],
  ['/playground', 'playground', 'Playground', 'playground'],
  ['/playground/:model', 'playground', 'Playground', 'playground'],
  ['/datasets', 'datasets', 'Datasets', 'datasets'],
  ['/datasets/:name', 'dataset', 'Dataset', 'datasets'],
  ['/jobs', 'jobs', 'Jobs', 'jobs'],
  ['/jobs/new', 'job-new', 'New job', 'jobs'],
  ['/jobs/compare', 'compare', 'Compare jobs', 'jobs'],
  ['/jobs/:id', 'job', 'Job', 'jobs'],
  ['/scoring', 'scoring', 'Scoring', 'scoring'],
  ['/scoring/new', 'scoring-new', 'Score a dataset', 'scoring'],
  ['/scoring/:id', 'scoring-job', 'Scoring job', 'scoring'],
  ['/keys', 'keys', 'Keys', 'keys'],
  ['/usage', 'usage', 'Usage', 'usage'],
  ['/audit', 'audit', 'Audit', 'audit'],
];

const NAV = [
  ['overview', 'Overview', '#/'],
  ['models', 'Models', '#/models'],
  ['playground', 'Playground', '#/playground'],
  ['datasets', 'Datasets', '#/datasets'],
  ['jobs', 'Jobs', '#/jobs'],
  ['scoring', 'Scoring', '#/scoring'],
  ['keys', 'Keys', '#/keys', 'admin'],
  ['usage', 'Usage', '#/usage'],
  ['audit', 'Audit', '#/audit', 'admin'],
];

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, page, title, section] of ROUTES) {
    const want = pattern.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((w, i) => (w.startsWith(':') ? (params[w.slice(1)] = decodeURIComponent(parts[i])) : w === parts[i]))) {
      return {page, title, section, params};
    }
  }
  return null;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return {path, query: new URLSearchParams(qs || '')};
}

function renderNav(section) {
  const links = NAV.filter(([, , , need]) => need !== 'admin' || session.admin).map(([id, label, href]) =>
    h('a', {href, 'aria-current': id === section ? 'page' : null}, label));
  mount(document.getElementById('nav'), session.signedIn ? links : []);
  const who = document.getElementById('who');
  if (!session.signedIn) mount(who);
  else if (!session.auth) mount(who, h('span', {class: 'muted'}, 'auth off'));
  else mount(who, h('span', {class: 'muted'}, session.name || session.key || 'signed in'),
    h('button', {type: 'button', class: 'link', onclick: async () => { await signOut(); go('#/signin'); }}, 'Sign out'));
}

let current = {cleanups: [], controller: null, token: 0};

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  current.controller?.abort();
  current.cleanups.splice(0).forEach((fn) => { try { fn(); } catch { /* leaving anyway */ } });
  const token = ++current.token;
  const controller = new AbortController();
  current.controller = controller;
  const {path, query} = parseHash();
  const main = document.getElementById('main');
  let m = match(path);
  if (!session.signedIn && m?.page !== 'signin') {
    m = match('/signin');
    query.set('next', path);
  }
  renderNav(m?.section);
  if (!m) {
    document.title = 'Not found · Kiln';
    mount(main, h('h1', null, 'Not found'), h('p', null, 'No console page here. ', h('a', {href: '#/'}, 'Overview')));
    return;
  }
  document.title = m.title + ' · Kiln';
  const ctx = {
    params: m.params, query, signal: controller.signal, go,
    onCleanup: (fn) => (token === current.token ? current.cleanups.push(fn) : fn()),
    isCurrent: () => token === current.token,
  };
  try {
    const mod = await import('./pages/' + m.page + '.js');
    if (token !== current.token) return;
    main.replaceChildren();
    await mod.default(main, ctx);
  } catch (e) {
    if (token !== current.token || e?.name === 'AbortError') return;
    mount(main, h('h1', null, m.title), errorBox(e));
  }
  if (token === current.token && document.activeElement === document.body) main.focus({preventScroll: true});
}

window.addEventListener('hashchange', route);
window.addEventListener('kiln:signed-out', () => {
  Object.assign(session, {signedIn: false, csrf: null});
  go('#/signin');
});

try {
  await loadSession();
} catch (e) {
  mount(document.getElementById('main'), h('h1', null, 'Kiln'), errorBox(e));
}
route();
