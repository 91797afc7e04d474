// Sign in with an API key: the server answers with a session cookie (HttpOnly, SameSite=Strict), so the key itself
// is never kept by the page.
import {h, mount, field, errorBox} from '../dom.js';
import {session, signIn} from '../api.js';

export default async function render(main, ctx) {
  const next = ctx.query.get('next') || '/';
  if (session.signedIn) return ctx.go('#' + next);
  const key = h('input', {type: 'password', name: 'key', autocomplete: 'off', required: true, spellcheck: 'false'});
  const status = h('div');
  const form = h('form', {class: 'card narrow', onsubmit: async (e) => {
    e.preventDefault();
    mount(status);
    try {
      if (await signIn(key.value.trim())) ctx.go('#' + (next === '/signin' ? '/' : next));
    } catch (err) {
      mount(status, errorBox(err.status === 401 ? new Error('That key is not valid (unknown, revoked or expired).') : err));
    }
  }},
  h('h1', null, 'Sign in to Kiln'),
  h('p', {class: 'muted'}, 'Use an API key. The console can do what that key can do, nothing more.'),
  field('API key', key),
  status,
  h('button', {type: 'submit'}, 'Sign in'));
  mount(main, form);
  key.focus();
}
