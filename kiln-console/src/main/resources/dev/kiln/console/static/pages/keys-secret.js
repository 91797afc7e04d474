// A key's token, shown once after create or rotate: the server keeps only its hash, so this is the only time anyone
// sees it. Copy uses the clipboard API; where that is refused (no secure context, no permission) the text is selected
// for Ctrl+C instead.
import {h, toast} from '../dom.js';

/** A card with the token, a Copy button and the warning; onDone removes it. */
export function secretCard(title, token, onDone) {
  const code = h('code', {class: 'secret', id: 'new-token'}, token);
  const select = () => {
    const range = document.createRange();
    range.selectNodeContents(code);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  };
  const copy = h('button', {type: 'button', onclick: async () => {
    try {
      await navigator.clipboard.writeText(token);
      toast('Token copied to the clipboard.');
    } catch {
      select();
      toast('The browser refused the clipboard: the token is selected, press Ctrl+C (⌘C) to copy it.');
    }
  }}, 'Copy');
  const card = h('section', {class: 'card secret-card', 'aria-labelledby': 'secret-title'},
    h('h2', {id: 'secret-title'}, title),
    h('p', {class: 'notice', role: 'alert'},
      'Copy this token now: it will not be shown again. Kiln stores only its hash; a lost token can only be rotated.'),
    h('div', {class: 'secret-row'}, code, copy),
    h('div', {class: 'actions'}, h('button', {type: 'button', class: 'secondary', onclick: () => {
      card.remove();
      onDone?.();
    }}, 'I have copied it')));
  return {card, focus: () => copy.focus()};
}
