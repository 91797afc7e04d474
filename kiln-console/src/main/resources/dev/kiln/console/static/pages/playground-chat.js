// A language model in the playground: a chat over POST /v1/chat/completions with stream:true, each token appended
// as it arrives, a Stop button that aborts the request (the server then cancels the generation), the sampling
// settings, and the finish reason and token usage at the end.
import {h, mount, pageHeader, field, errorBox} from '../dom.js';
import {streamPost} from '../api.js';
import {snippetPanel, chatSnippets} from './playground-snippets.js';

export default async function render(main, ctx, {name, back}) {
  const history = [];
  const system = h('textarea', {rows: '3', spellcheck: 'true'});
  const settings = {
    temperature: h('input', {type: 'number', min: '0', max: '2', step: '0.1', value: '0.7'}),
    top_p: h('input', {type: 'number', min: '0', max: '1', step: '0.05', value: '0.95'}),
    max_tokens: h('input', {type: 'number', min: '1', step: '1', value: '128'}),
    seed: h('input', {type: 'number', step: '1', placeholder: 'random'}),
  };
  const log = h('div', {class: 'chat', role: 'log', 'aria-label': 'Conversation', 'aria-live': 'polite'});
  const status = h('p', {class: 'muted chat-status', 'aria-live': 'polite'}, 'Say something to start.');
  const message = h('textarea', {rows: '3', placeholder: 'Enter sends; Shift+Enter for a new line'});
  const send = h('button', {type: 'submit'}, 'Send');
  const stop = h('button', {type: 'button', class: 'danger', disabled: true}, 'Stop');
  const clear = h('button', {type: 'button', class: 'secondary',
    onclick: () => { history.length = 0; log.replaceChildren(); mount(status, 'Cleared.'); refresh(); }}, 'Clear');
  let controller = null;
  ctx.onCleanup(() => controller?.abort());
  stop.addEventListener('click', () => controller?.abort());

  const request = (messages) => {
    const body = {model: name, messages, stream: true, stream_options: {include_usage: true}};
    for (const [k, input] of Object.entries(settings)) {
      if (input.value.trim() === '') continue;
      const v = Number(input.value);
      if (Number.isFinite(v)) body[k] = k === 'max_tokens' || k === 'seed' ? Math.trunc(v) : v;
    }
    return body;
  };
  const withSystem = (msgs) => (system.value.trim() ? [{role: 'system', content: system.value}, ...msgs] : msgs);
  const snippets = snippetPanel(chatSnippets(request(withSystem([{role: 'user', content: 'Hello!'}]))));
  const refresh = () => snippets.update(chatSnippets(request(withSystem(
    history.length ? history : [{role: 'user', content: message.value.trim() || 'Hello!'}]))));

  const ask = async () => {
    const text = message.value;
    if (!text.trim() || controller) return;
    message.value = '';
    history.push({role: 'user', content: text});
    log.append(h('div', {class: 'msg msg-user'}, h('span', {class: 'sr-only'}, 'You: '), text));
    const answer = document.createTextNode('');
    const bubble = h('div', {class: 'msg msg-assistant', 'aria-busy': 'true'},
      h('span', {class: 'sr-only'}, name + ': '), answer);
    log.append(bubble);
    controller = new AbortController();
    ctx.signal.addEventListener('abort', () => controller?.abort(), {once: true});
    send.disabled = true;
    stop.disabled = false;
    mount(status, 'Generating…');
    let finish = null;
    let usage = null;
    let chunks = 0;
    const started = performance.now();
    try {
      await streamPost('/v1/chat/completions', request(withSystem(history)), (chunk) => {
        const choice = chunk.choices?.[0];
        if (choice?.delta?.content) {
          answer.appendData(choice.delta.content);
          chunks++;
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }, controller.signal);
      history.push({role: 'assistant', content: answer.data});
      mount(status, describe(finish, usage, chunks, performance.now() - started));
    } catch (e) {
      if (e?.name === 'AbortError') {
        if (answer.data) history.push({role: 'assistant', content: answer.data});
        if (ctx.isCurrent()) mount(status, `Stopped after ${chunks} chunks.`);
      } else {
        history.pop();
        bubble.remove();
        mount(status, errorBox(e));
      }
    } finally {
      bubble.removeAttribute('aria-busy');
      controller = null;
      send.disabled = false;
      stop.disabled = true;
      refresh();
    }
  };

  const form = h('form', {class: 'chat-form', 'aria-label': 'New message', onsubmit: (e) => { e.preventDefault(); ask(); }},
    field('Message', message), h('div', {class: 'actions'}, send, stop, clear));
  message.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  const settingsForm = h('form', {class: 'chat-settings', 'aria-label': 'Settings',
    oninput: () => refresh(), onsubmit: (e) => e.preventDefault()},
  field('System prompt', system),
  h('div', {class: 'inline'},
    field('Temperature', settings.temperature), field('Top p', settings.top_p),
    field('Max tokens', settings.max_tokens), field('Seed', settings.seed)));
  message.addEventListener('input', () => { if (!history.length) refresh(); });

  mount(main, pageHeader(name, back),
    h('p', {class: 'muted'}, 'A language model: the chat streams its answer over the OpenAI-compatible API.'),
    h('div', {class: 'cols'},
      h('section', {class: 'card', 'aria-labelledby': 'chat-h'}, h('h2', {id: 'chat-h'}, 'Chat'), log, status, form),
      h('section', {class: 'card', 'aria-labelledby': 'set-h'}, h('h2', {id: 'set-h'}, 'Settings'), settingsForm)),
    snippets.node);
}

function describe(finish, usage, chunks, ms) {
  const parts = [`Finished: ${finish ?? 'unknown'}`, `${chunks} chunks in ${(ms / 1000).toFixed(2)} s`];
  if (usage) parts.push(`tokens: ${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion = ${usage.total_tokens}`);
  return parts.join(' · ') + '.';
}
