// Form controls generated from a tensor model's signature, each with a read() that gives the OIP request inputs:
// - a Kiln-trained tabular model (inputs with parameters.columns): one labelled control per raw column, sent as
//   named inputs (numbers as FP64, categories as BYTES), which the server puts in the model's column order;
// - an image model (a 4-D input with 1 or 3 channels): a file decoded in the browser (playground-image.js);
// - any other tensor: a JSON editor with the declared shape shown, sent flat with the shape it has.
import {h, field} from '../dom.js';
import {imageInput, imageLayout} from './playground-image.js';

const NUMERIC = /^(BOOL|U?INT\d+|FP\d+|BF16)$/;

/** The controls for a model: {kind: 'columns'|'image'|'tensors', node, read()}. read() throws a message on bad input. */
export function inputsFor(meta) {
  const inputs = meta.inputs ?? [];
  if (inputs.length && inputs.every((i) => Array.isArray(i.parameters?.columns))) return columnInputs(inputs);
  const image = inputs.length === 1 ? imageLayout(inputs[0]) : null;
  if (image) return imageInput(inputs[0], image);
  return tensorInputs(inputs);
}

function columnInputs(inputs) {
  const controls = [];
  for (const input of inputs) {
    const text = input.datatype === 'BYTES';
    for (const column of input.parameters.columns) {
      const control = h('input', {type: text ? 'text' : 'number', step: text ? null : 'any', name: column,
        autocomplete: 'off', inputmode: text ? null : 'decimal', 'data-column': column});
      controls.push({column, text, control, node: field(column, control, text ? 'category (text)' : 'number; empty = missing')});
    }
  }
  return {
    kind: 'columns',
    node: h('div', {class: 'columns-form'}, controls.map((c) => c.node)),
    controls: controls.map((c) => c.control),
    /** One row keyed by column name, as POST /predict takes it. */
    row: () => Object.fromEntries(controls.map(({column, text, control}) =>
      [column, text ? control.value : control.value.trim() === '' ? null : Number(control.value)])),
    read() {
      return controls.map(({column, text, control}) => {
        const raw = control.value.trim();
        if (text) return {name: column, datatype: 'BYTES', shape: [1], data: [control.value]};
        const value = raw === '' ? null : Number(raw);
        if (value !== null && !Number.isFinite(value)) throw new Error(`${column}: not a number`);
        return {name: column, datatype: 'FP64', shape: [1], data: [value]};
      });
    },
  };
}

/** A sample value of the declared shape (-1 read as 1), so the editor starts with something the model takes. */
function sample(shape, datatype) {
  const zero = datatype === 'BYTES' ? '' : datatype === 'BOOL' ? false : 0;
  const dims = (shape ?? [1]).map((d) => (d < 0 ? 1 : d));
  const build = (i) => (i === dims.length ? zero : Array.from({length: dims[i]}, () => build(i + 1)));
  return dims.length ? build(0) : zero;
}

function tensorInputs(inputs) {
  const controls = inputs.map((input) => {
    const start = JSON.stringify(sample(input.shape, input.datatype));
    // A short value edits on one line (Enter submits the form); a long one gets a text area (Ctrl+Enter submits).
    const control = start.length <= 120
      ? h('input', {type: 'text', class: 'mono', value: start, spellcheck: 'false', autocomplete: 'off'})
      : h('textarea', {spellcheck: 'false', rows: '6'}, start);
    const shape = '[' + (input.shape ?? []).map((d) => (d < 0 ? 'N' : d)).join(', ') + ']';
    return {input, control, node: field(`${input.name} (${input.datatype} ${shape})`, control,
      'JSON: a nested array of this shape, or a flat list of its values')};
  });
  return {
    kind: 'tensors',
    node: h('div', null, controls.map((c) => c.node)),
    controls: controls.map((c) => c.control),
    read: () => controls.map(({input, control}) => tensorValue(input, control.value)),
  };
}

/** One input from the editor's JSON: flattened, with the nested array's own shape (or the declared one if flat). */
export function tensorValue(input, text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${input.name}: not valid JSON`);
  }
  if (!Array.isArray(value)) value = [value];
  const shape = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data = value.flat(Infinity);
  if (NUMERIC.test(input.datatype) && input.datatype !== 'BOOL' &&
      data.some((x) => x !== null && typeof x !== 'number')) {
    throw new Error(`${input.name}: ${input.datatype} takes numbers`);
  }
  const declared = input.shape ?? [];
  if (shape.length === 1 && declared.length > 1) return {name: input.name, datatype: input.datatype,
    shape: fitShape(declared, data.length), data};
  return {name: input.name, datatype: input.datatype, shape, data};
}

/** The declared shape with its one unknown dimension filled from the number of values (the server checks the rest). */
function fitShape(declared, count) {
  const known = declared.filter((d) => d >= 0).reduce((a, b) => a * b, 1);
  let filled = false;
  return declared.map((d) => {
    if (d >= 0) return d;
    if (filled) return 1;
    filled = true;
    return known > 0 ? Math.max(1, Math.round(count / known)) : count;
  });
}
