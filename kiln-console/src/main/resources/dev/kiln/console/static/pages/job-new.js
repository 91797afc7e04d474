// Placeholder: this page is being built.
import {h, mount, pageHeader} from '../dom.js';

export default async function render(main) {
  mount(main, pageHeader('job-new'), h('p', {class: 'muted'}, 'Coming soon.'));
}
