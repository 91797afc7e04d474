// Placeholder: this page is being built.
import {h, mount, pageHeader} from '../dom.js';

export default async function render(main) {
  mount(main, pageHeader('jobs'), h('p', {class: 'muted'}, 'Coming soon.'));
}
