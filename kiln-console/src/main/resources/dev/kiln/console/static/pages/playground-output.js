// Shows an OIP inference answer: for a classifier, the top classes of each row with their scores as bars
// (probabilities as the model gives them, or a softmax of its logits, saying which), with the class names where the
// model names them; every output tensor as well, as data.
import {h, fmtNumber} from '../dom.js';

const TOP = 5;
const ROWS = 4;

/** The nodes for an answer {outputs: [{name, datatype, shape, data}]}; classes: the model's class names, if known. */
export function renderOutputs(answer, classes = []) {
  const outputs = answer?.outputs ?? [];
  const scores = scoreOutput(outputs);
  const named = outputs.find((o) => o.name === 'class' && o.datatype === 'BYTES');
  const nodes = [];
  if (scores) nodes.push(classifierView(scores, classes, named));
  nodes.push(h('h3', null, 'Output tensors'));
  for (const o of outputs) {
    const shape = '[' + (o.shape ?? []).join(', ') + ']';
    nodes.push(h('div', {class: 'output', 'data-output': o.name},
      h('p', null, h('strong', null, o.name), h('span', {class: 'muted'}, ` ${o.datatype} ${shape}`)),
      h('pre', {tabindex: '0', 'aria-label': 'output ' + o.name}, formatTensor(o.data ?? [], o.shape ?? []))));
  }
  return nodes;
}

/** The output that scores classes: `probabilities`, or the one float [N, k>1] output named like scores or logits. */
function scoreOutput(outputs) {
  const matrix = (o) => /^(FP|BF)/.test(o.datatype) && o.shape?.length === 2 && o.shape[1] > 1;
  return outputs.find((o) => o.name === 'probabilities' && matrix(o)) ??
    outputs.find((o) => matrix(o) && /prob|logit|score|softmax/i.test(o.name)) ??
    null;
}

function classifierView(out, classes, named) {
  const k = out.shape[1];
  const n = Math.min(out.shape[0], ROWS);
  const rows = [];
  let logits = false;
  for (let r = 0; r < n; r++) {
    const row = out.data.slice(r * k, r * k + k).map(Number);
    const isProb = row.every((x) => x >= 0 && x <= 1) && Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-3;
    if (!isProb) logits = true;
    rows.push(isProb ? row : softmax(row));
  }
  const nameOf = (r, i, best) => classes[i] ?? (i === best && named ? String(named.data[r]) : 'class ' + i);
  return h('div', {class: 'classes'},
    h('h3', null, 'Top classes'),
    h('p', {class: 'muted'}, logits
      ? `Output "${out.name}" read as logits: the scores below are its softmax.`
      : `Output "${out.name}": probabilities as the model gives them.`),
    rows.map((p, r) => {
      const order = p.map((x, i) => i).sort((a, b) => p[b] - p[a]).slice(0, TOP);
      return h('table', {class: 'grid top-classes', 'data-row': String(r)},
        h('caption', {class: n > 1 ? null : 'sr-only'}, 'Row ' + (r + 1)),
        h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'Class'), h('th', {scope: 'col', class: 'num'}, 'Score'),
          h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Bar')))),
        h('tbody', null, order.map((i) => {
          const bar = h('span', {class: 'bar'});
          bar.style.width = Math.max(1, Math.round(p[i] * 240)) + 'px';
          return h('tr', null, h('td', {class: 'class-name'}, nameOf(r, i, order[0])),
            h('td', {class: 'num'}, (p[i] * 100).toFixed(1) + '%'), h('td', null, bar));
        })));
    }));
}

function softmax(row) {
  const max = Math.max(...row);
  const e = row.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** Nested by the shape, innermost lists on one line, at most 4,000 characters. */
export function formatTensor(data, shape) {
  const fmt = (x) => (typeof x === 'number' ? fmtNumber(x, 6).replace(/,/g, '') : JSON.stringify(x));
  const dims = shape.length ? shape : [data.length];
  const build = (d, offset, stride) => {
    if (d === dims.length - 1) return '[' + data.slice(offset, offset + dims[d]).map(fmt).join(', ') + ']';
    const inner = stride / dims[d];
    const parts = [];
    for (let i = 0; i < dims[d]; i++) parts.push(build(d + 1, offset + i * inner, inner));
    return '[' + parts.join(',\n' + ' '.repeat(d + 1)) + ']';
  };
  const total = dims.reduce((a, b) => a * b, 1);
  const text = total === data.length ? build(0, 0, total) : JSON.stringify(data);
  return text.length > 4000 ? text.slice(0, 4000) + ' …' : text;
}
