import { LIVESTREAM_NAME_MAX } from '../../../shared/constants.js';
import type { Livestream } from '../../../shared/livestream.js';
import { h } from '../dom.js';
import type { DashboardIntents } from './dashboard-controller.js';
import { LivestreamList } from './livestream-list.js';

/** The dashboard page: the create form, the last error, and a card per livestream. */
export class DashboardView {
  private readonly alert = h('p', { className: 'alert', hidden: true, attrs: { role: 'alert', 'data-testid': 'dashboard-error' } });
  private readonly list: LivestreamList;
  private readonly body = h('div', { className: 'dashboard' });

  constructor(root: HTMLElement, intents: DashboardIntents) {
    this.list = new LivestreamList(intents);
    const name = h('input', { type: 'text', id: 'new-name', required: true, maxLength: LIVESTREAM_NAME_MAX, placeholder: 'e.g. Friday stand-up' });
    const record = h('input', { type: 'checkbox', id: 'new-record', checked: true });
    const create = h(
      'form',
      { className: 'create-form' },
      h('label', { className: 'field grow', htmlFor: 'new-name' }, h('span', { className: 'field-label', textContent: 'New livestream' }), name),
      h('label', { className: 'check', htmlFor: 'new-record' }, record, ' Record'),
      h('button', { type: 'submit', className: 'btn btn-primary', textContent: 'Create' }),
    );
    create.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (await intents.create({ name: name.value.trim(), record: record.checked })) name.value = '';
    });
    const signOut = h('button', { type: 'button', className: 'btn btn-ghost btn-small', textContent: 'Sign out' });
    signOut.addEventListener('click', () => intents.signOut());
    root.replaceChildren(
      h('header', { className: 'topbar' }, h('a', { className: 'brand', href: '/', textContent: 'Axon' }), h('span', { className: 'topbar-sub', textContent: 'Livestreams' }), h('span', { className: 'spacer' }), signOut),
      this.body,
    );
    this.body.append(create, this.alert, this.list.element);
  }

  /** Adds a section below the livestreams (webhooks). */
  addSection(section: HTMLElement): void {
    this.body.append(section);
  }

  showLivestreams(items: readonly Livestream[]): void {
    this.list.show(items);
  }

  showError(message: string | null): void {
    this.alert.textContent = message ?? '';
    this.alert.hidden = message === null;
  }
}
