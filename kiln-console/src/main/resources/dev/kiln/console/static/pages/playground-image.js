// An image input for a model whose single input is an image tensor: the file is decoded in the browser
// (createImageBitmap), drawn onto a canvas of the model's height × width, and sent as FP32 channels-first or
// channels-last, grey (luminance) or RGB, with values 0..255 (what a Kiln-trained image model takes: it scales to
// 0..1 inside the exported model) or 0..1.
import {h, field, mount} from '../dom.js';
import {shellQuote} from './playground-snippets.js';

/** {layout: 'NCHW'|'NHWC', c, hh, w} when the input looks like a batch of images of a fixed size, else null. */
export function imageLayout(input) {
  const s = input.shape ?? [];
  if (s.length !== 4 || !/^FP(16|32|64)$|^UINT8$/.test(input.datatype)) return null;
  const [, a, b, c] = s;
  if ((a === 1 || a === 3) && b > 0 && c > 0) return {layout: 'NCHW', c: a, hh: b, w: c};
  if ((c === 1 || c === 3) && a > 0 && b > 0) return {layout: 'NHWC', c, hh: a, w: b};
  return null;
}

export function imageInput(input, layout) {
  const kiln = input.name === 'image';
  const file = h('input', {type: 'file', accept: 'image/*'});
  const scale = h('select', null,
    h('option', {value: '255', selected: kiln}, '0 to 255 (Kiln image models)'),
    h('option', {value: '1', selected: !kiln}, '0 to 1'));
  const canvas = h('canvas', {width: String(layout.w), height: String(layout.hh), class: 'preview',
    role: 'img', 'aria-label': `the picture as the model sees it, ${layout.w} × ${layout.hh}`});
  const status = h('p', {class: 'muted', 'aria-live': 'polite'}, 'No picture chosen yet.');
  let pixels = null;
  file.addEventListener('change', async () => {
    pixels = null;
    const f = file.files?.[0];
    if (!f) return;
    try {
      const bitmap = await createImageBitmap(f);
      const g = canvas.getContext('2d', {willReadFrequently: true});
      g.clearRect(0, 0, layout.w, layout.hh);
      g.drawImage(bitmap, 0, 0, layout.w, layout.hh);
      pixels = g.getImageData(0, 0, layout.w, layout.hh).data;
      mount(status, `${f.name}: ${bitmap.width} × ${bitmap.height}, resized to ${layout.w} × ${layout.hh}, ` +
        (layout.c === 1 ? 'grey' : 'RGB') + '.');
      bitmap.close();
    } catch {
      mount(status, `${f.name}: the browser could not decode this picture.`);
    }
  });
  const shape = input.shape.map((d) => (d < 0 ? 'N' : d)).join(', ');
  return {
    kind: 'image',
    node: h('div', null,
      field(`${input.name} (${input.datatype} [${shape}]): picture`, file, 'PNG, JPEG, GIF, WebP or BMP; decoded here'),
      field('Pixel values', scale), h('div', {class: 'image-preview'}, canvas, status)),
    controls: [file, scale],
    read() {
      if (!pixels) throw new Error('Choose a picture first.');
      const data = toTensor(pixels, layout, Number(scale.value) / 255, input.datatype === 'UINT8');
      const dims = layout.layout === 'NCHW' ? [1, layout.c, layout.hh, layout.w] : [1, layout.hh, layout.w, layout.c];
      return [{name: input.name, datatype: input.datatype, shape: dims, data}];
    },
    /** Snippets that read and resize a picture file as this page does. */
    snippets: (path) => imageSnippets(location.origin + path, input, layout, Number(scale.value)),
  };
}

function imageSnippets(url, input, {layout, c, hh, w}, scale) {
  const dims = layout === 'NCHW' ? `[1, ${c}, ${hh}, ${w}]` : `[1, ${hh}, ${w}, ${c}]`;
  const arrange = c === 1
    ? (layout === 'NCHW' ? 'x = x[None, None]                          # [1, 1, H, W]' : 'x = x[None, :, :, None]                    # [1, H, W, 1]')
    : (layout === 'NCHW' ? 'x = x.transpose(2, 0, 1)[None]             # [1, 3, H, W]' : 'x = x[None]                                # [1, H, W, 3]');
  const python = 'import os\n\nimport numpy as np\nimport requests\nfrom PIL import Image\n\n' +
    `picture = Image.open("picture.png").convert(${c === 1 ? '"L"' : '"RGB"'}).resize((${w}, ${hh}))\n` +
    `x = np.asarray(picture, dtype=np.float32)${scale === 1 ? ' / 255' : ''}\n${arrange}\n` +
    `response = requests.post(\n    ${JSON.stringify(url)},\n` +
    '    headers={"Authorization": "Bearer " + os.environ["KILN_API_KEY"]},\n' +
    `    json={"inputs": [{"name": ${JSON.stringify(input.name)}, "datatype": "${input.datatype}", ` +
    '"shape": list(x.shape), "data": x.ravel().tolist()}]},\n)\nresponse.raise_for_status()\n' +
    'for output in response.json()["outputs"]:\n    print(output["name"], output["data"])';
  const curl = `# request.json: {"inputs": [{"name": ${JSON.stringify(input.name)}, "datatype": "${input.datatype}", ` +
    `"shape": ${dims}, "data": [...]}]}\n# data: the ${dims.slice(4, -1).replace(/, /g, ' × ')} pixel values, row-major, ` +
    `${scale === 1 ? '0 to 1' : '0 to 255'}\ncurl -s ${shellQuote(url)} \\\n  -H "Authorization: Bearer $KILN_API_KEY" \\\n` +
    "  -H 'Content-Type: application/json' \\\n  -d @request.json";
  return [['Python', python], ['curl', curl]];
}

/** RGBA bytes to the model's layout; grey is ITU-R BT.601 luminance. */
function toTensor(rgba, {layout, c, hh, w}, factor, integer) {
  const n = hh * w;
  const out = new Array(n * c);
  for (let p = 0; p < n; p++) {
    const r = rgba[p * 4], g = rgba[p * 4 + 1], b = rgba[p * 4 + 2];
    const values = c === 1 ? [0.299 * r + 0.587 * g + 0.114 * b] : [r, g, b];
    for (let ch = 0; ch < c; ch++) {
      const v = integer ? Math.round(values[ch]) : values[ch] * factor;
      out[layout === 'NCHW' ? ch * n + p : p * c + ch] = v;
    }
  }
  return out;
}
