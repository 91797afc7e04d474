// The new-job form's spec helpers: presets (the examples/*.yaml specs), the few settings the form edits in the YAML
// text itself (optimizer, learning rate, loss), the server's validation (POST /api/v1/jobs?dry_run=true when the
// server documents it in its OpenAPI document) and where in the text a validation error points.
import {get, call} from '../api.js';

export const PRESETS = {
  logistic: `# Logistic regression: sigmoid for two classes, softmax for more; gradient descent by epochs.
type: logistic_regression
optimizer: {name: sgd, learning_rate: 0.1}
training: {epochs: 30, batch_size: 32, validation_split: 0.2}
`,
  mlp: `# A multilayer perceptron; the last layer's units are the number of classes.
type: sequential
layers:
  - {type: dense, units: 64, activation: relu}
  - {type: dropout, rate: 0.1}
  - {type: dense, units: 2, activation: softmax}
optimizer: {name: adam, learning_rate: 0.005}
loss: sparse_categorical_crossentropy
training: {epochs: 20, batch_size: 32, validation_split: 0.2}
`,
  linear: `# Linear regression (y = x w + b): least squares on the standardised features.
type: linear_regression
l2: 0
`,
  'linear (sgd)': `# Linear regression trained by gradient descent, epoch by epoch.
type: linear_regression
optimizer: {name: sgd, learning_rate: 0.05, momentum: 0.9}
training: {epochs: 50}
`,
};

export const OPTIMIZERS = ['', 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'];
export const LOSSES = ['', 'sparse_categorical_crossentropy', 'categorical_crossentropy', 'binary_crossentropy', 'mse', 'mae'];

/** The top-level `optimizer: {name: X, learning_rate: Y}` and `loss: Z` of a YAML spec, as far as a line shows them. */
export function readSettings(text) {
  const opt = /^optimizer\s*:\s*(.*)$/m.exec(text)?.[1] ?? '';
  const name = /name\s*:\s*([A-Za-z_]+)/.exec(opt)?.[1] ?? (/^[A-Za-z_]+$/.test(opt.trim()) ? opt.trim() : '');
  const lr = /learning_rate\s*:\s*([0-9.eE+-]+)/.exec(opt)?.[1] ?? '';
  const loss = /^loss\s*:\s*([A-Za-z_]+)/m.exec(text)?.[1] ?? '';
  return {optimizer: name, learningRate: lr, loss};
}

/** The spec text with its optimizer and loss lines set (added when absent; removed when blank). */
export function writeSettings(text, {optimizer, learningRate, loss}) {
  let out = text;
  // Keep the optimizer's other settings (momentum, weight_decay...) when its line is a flat {key: value} map.
  const old = /^optimizer\s*:\s*\{([^{}]*)\}\s*$/m.exec(text)?.[1] ?? '';
  const rest = old.split(',').map((kv) => kv.trim()).filter((kv) => kv && !/^(name|learning_rate)\s*:/.test(kv));
  const entries = ['name: ' + optimizer, learningRate ? 'learning_rate: ' + learningRate : null, ...rest].filter(Boolean);
  const optLine = optimizer ? `optimizer: {${entries.join(', ')}}` : '';
  out = setLine(out, /^optimizer\s*:.*$/m, optLine);
  out = setLine(out, /^loss\s*:.*$/m, loss ? 'loss: ' + loss : '');
  return out;
}

function setLine(text, re, line) {
  if (re.test(text)) return line ? text.replace(re, line) : text.replace(new RegExp(re.source + '\\n?', 'm'), '');
  return line ? text.replace(/\n*$/, '\n') + line + '\n' : text;
}

let checker = null;
/**
 * How this server checks a request without running it, from its OpenAPI document: POST /api/v1/jobs/validate, or
 * POST /api/v1/jobs?dry_run=true where that parameter is documented; null when it cannot (then only a submission
 * tells). Never guessed: a server that ignored dry_run would start the job.
 */
export async function dryRunPath() {
  if (checker === null) {
    checker = get('/api/v1/openapi.json', {quiet: true}).then((doc) => {
      if (doc?.paths?.['/api/v1/jobs/validate']?.post) return '/api/v1/jobs/validate';
      const params = doc?.paths?.['/api/v1/jobs']?.post?.parameters ?? [];
      return params.some((p) => p?.name === 'dry_run') ? '/api/v1/jobs?dry_run=true' : null;
    }).catch(() => null);
  }
  return checker;
}

/** The server's verdict on a request without running it: {ok} or {ok: false, message, path}. */
export async function validate(path, request, signal) {
  try {
    await call('POST', path, request, {signal});
    return {ok: true};
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    if (e.status !== 400 && e.status !== 404 && e.status !== 422) throw e;
    return {ok: false, ...problem(e)};
  }
}

/** A refusal's message and where in the request it points (path or field, when the server says). */
export function problem(e) {
  const b = e?.body && typeof e.body === 'object' ? e.body : {};
  const err = b.error && typeof b.error === 'object' ? b.error : {};
  const path = err.path ?? err.field ?? err.param ?? b.path ?? b.field ?? null;
  return {message: e?.message ?? String(e), path: path === null ? null : String(path)};
}

/**
 * The 1-based line of the spec text a path such as `model.layers[1].units` or `layers.1.units` points at: the
 * line of its last key (within the nth list item when the path indexes a list); null when the text has none.
 */
export function lineOf(text, path) {
  if (!path) return null;
  const parts = String(path).replace(/\[(\d+)\]/g, '.$1').split(/[./]/).filter(Boolean)
    .filter((p, i) => !(i === 0 && (p === 'model' || p === 'spec')));
  const key = [...parts].reverse().find((p) => !/^\d+$/.test(p));
  if (!key) return null;
  const lines = text.split('\n');
  const keyRe = new RegExp('(^|[\\s{,-])' + key.replace(/[^A-Za-z0-9_]/g, '') + '\\s*:');
  // Start after the list item the path names, if any: `layers.1` is the second `- ` line under `layers:`.
  let from = 0;
  const idx = parts.findIndex((p) => /^\d+$/.test(p));
  if (idx > 0) {
    const listLine = lines.findIndex((l) => new RegExp('^\\s*' + parts[idx - 1] + '\\s*:').test(l));
    if (listLine >= 0) {
      let n = -1;
      for (let i = listLine + 1; i < lines.length; i++) {
        if (/^\s*-/.test(lines[i]) && ++n === Number(parts[idx])) { from = i; break; }
      }
    }
  }
  for (let i = from; i < lines.length; i++) if (keyRe.test(lines[i]) && !/^\s*#/.test(lines[i])) return i + 1;
  return null;
}
