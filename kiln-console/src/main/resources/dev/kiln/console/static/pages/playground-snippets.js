// The playground's "same call elsewhere" panel: curl, Python and OpenAI-SDK snippets of the request the page would
// send, with this server's address (location.origin) and the placeholder $KILN_API_KEY, never the session's secret.
import {h, mount, toast} from '../dom.js';

const KEY = '$KILN_API_KEY';

/** A single-quoted shell word: ' inside becomes '\''. */
export const shellQuote = (s) => "'" + String(s).replace(/'/g, "'\\''") + "'";

/** A Python string literal (JSON's escaping is valid Python for these). */
const py = (s) => JSON.stringify(String(s));

/** Python source for a JSON value: true/false/null become True/False/None. */
export function pyValue(v, indent = 0) {
  const pad = ' '.repeat(indent);
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'float("nan")';
  if (typeof v === 'string') return py(v);
  if (Array.isArray(v)) {
    const flat = '[' + v.map((x) => pyValue(x, indent)).join(', ') + ']';
    if (flat.length <= 100) return flat;
    return '[\n' + v.map((x) => pad + '    ' + pyValue(x, indent + 4)).join(',\n') + ',\n' + pad + ']';
  }
  const entries = Object.entries(v);
  const flat = '{' + entries.map(([k, x]) => py(k) + ': ' + pyValue(x, indent)).join(', ') + '}';
  if (flat.length <= 100) return flat;
  return '{\n' + entries.map(([k, x]) => pad + '    ' + py(k) + ': ' + pyValue(x, indent + 4)).join(',\n') + ',\n' + pad + '}';
}

/** Snippets for a tensor model's OIP infer call with the given request body. */
export function tensorSnippets(path, body) {
  const url = location.origin + path;
  return [
    ['curl', `curl -s ${shellQuote(url)} \\\n  -H "Authorization: Bearer ${KEY}" \\\n  -H 'Content-Type: application/json' \\\n` +
      `  -d ${shellQuote(JSON.stringify(body))}`],
    ['Python', `import os\nimport requests\n\nresponse = requests.post(\n    ${py(url)},\n` +
      `    headers={"Authorization": "Bearer " + os.environ["KILN_API_KEY"]},\n    json=${pyValue(body, 4)},\n)\n` +
      'response.raise_for_status()\nfor output in response.json()["outputs"]:\n    print(output["name"], output["data"])'],
  ];
}

/** A snippet for POST /predict/{model} with rows keyed by column name (a Kiln-trained tabular model). */
export function rowSnippet(model, row) {
  const url = location.origin + '/predict/' + encodeURIComponent(model);
  return ['Python (rows)', `import os\nimport requests\n\nrows = [${pyValue(row, 4)}]\nresponse = requests.post(\n` +
    `    ${py(url)},\n    headers={"Authorization": "Bearer " + os.environ["KILN_API_KEY"]},\n` +
    '    json={"instances": rows},\n)\nresponse.raise_for_status()\n' +
    'for row, prediction in zip(rows, response.json()["predictions"]):\n    print(row, "->", prediction["class"])'];
}

/** Snippets for a chat completion with the given request body (stream left out of curl/requests for brevity). */
export function chatSnippets(body) {
  const base = location.origin + '/v1';
  const plain = {...body};
  delete plain.stream;
  delete plain.stream_options;
  const args = Object.entries(plain).filter(([k]) => k !== 'messages')
    .map(([k, v]) => `    ${k}=${pyValue(v, 4)},`).join('\n');
  return [
    ['curl', `curl -sN ${shellQuote(base + '/chat/completions')} \\\n  -H "Authorization: Bearer ${KEY}" \\\n` +
      `  -H 'Content-Type: application/json' \\\n  -d ${shellQuote(JSON.stringify({...plain, stream: true}))}`],
    ['Python', `import os\nimport requests\n\nresponse = requests.post(\n    ${py(base + '/chat/completions')},\n` +
      `    headers={"Authorization": "Bearer " + os.environ["KILN_API_KEY"]},\n    json=${pyValue(plain, 4)},\n)\n` +
      'response.raise_for_status()\nprint(response.json()["choices"][0]["message"]["content"])'],
    ['OpenAI SDK', `import os\nfrom openai import OpenAI\n\nclient = OpenAI(base_url=${py(base)}, api_key=os.environ["KILN_API_KEY"])\n` +
      `stream = client.chat.completions.create(\n    messages=${pyValue(plain.messages, 4)},\n${args}\n    stream=True,\n)\n` +
      'for chunk in stream:\n    if chunk.choices and chunk.choices[0].delta.content:\n' +
      '        print(chunk.choices[0].delta.content, end="", flush=True)\nprint()'],
  ];
}

let panels = 0;

/**
 * A tabbed panel of snippets; returns {node, update(snippets)} so the page can refresh them as the form changes.
 * Tabs follow the ARIA tabs pattern (arrow keys move between them).
 */
export function snippetPanel(initial) {
  const id = 'snip' + ++panels;
  const tabs = h('div', {class: 'tabs', role: 'tablist', 'aria-label': 'Code snippets'});
  const body = h('div');
  const node = h('section', {class: 'card', 'aria-labelledby': id + '-h'},
    h('h2', {id: id + '-h'}, 'The same call from code'),
    h('p', {class: 'muted'}, 'Set KILN_API_KEY to an API key that may call this model.'), tabs, body);
  let snippets = initial;
  let selected = 0;
  const show = () => {
    mount(tabs, snippets.map(([label], i) => h('button', {
      type: 'button', role: 'tab', id: `${id}-t${i}`, 'aria-selected': String(i === selected),
      'aria-controls': `${id}-p`, tabindex: i === selected ? '0' : '-1',
      onclick: () => { selected = i; show(); tabs.children[i]?.focus(); },
      onkeydown: (e) => {
        const step = {ArrowRight: 1, ArrowLeft: -1}[e.key];
        if (!step) return;
        e.preventDefault();
        selected = (selected + step + snippets.length) % snippets.length;
        show();
        tabs.children[selected]?.focus();
      },
    }, label)));
    const [label, code] = snippets[selected];
    const pre = h('pre', {class: 'snippet', tabindex: '0', 'aria-label': label + ' snippet'}, h('code', null, code));
    mount(body, h('div', {role: 'tabpanel', id: `${id}-p`, 'aria-labelledby': `${id}-t${selected}`},
      pre, h('button', {type: 'button', class: 'secondary', onclick: () => copy(code, pre)}, 'Copy ' + label)));
  };
  show();
  return {node, update(next) { snippets = next; selected = Math.min(selected, next.length - 1); show(); }};
}

/** Copies text; where the clipboard is not allowed (no secure context, no permission), selects it instead. */
async function copy(text, pre) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Copied to the clipboard.');
  } catch {
    const range = document.createRange();
    range.selectNodeContents(pre);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    pre.focus();
    toast('Selected: press Ctrl+C (⌘C) to copy.');
  }
}
