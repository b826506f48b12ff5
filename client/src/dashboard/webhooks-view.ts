import {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_URL_MAX,
  type CreatedWebhook,
  type Webhook,
  type WebhookDelivery,
  type WebhookEventType,
} from '../../../shared/webhooks.js';
import { copyField } from '../clipboard.js';
import { h } from '../dom.js';
import type { WebhookIntents } from './webhooks-controller.js';

/**
 * The dashboard's webhooks section: a form to add one (URL and events), the new webhook's secret shown once,
 * and each webhook with its recent deliveries, an Edit form and a Delete button. Opened on demand, read when opened.
 */
export class WebhooksView {
  readonly element: HTMLDetailsElement;
  private readonly summary = h('summary', { textContent: 'Webhooks' });
  private readonly alert = h('p', { className: 'alert', hidden: true, attrs: { role: 'alert', 'data-testid': 'webhooks-error' } });
  private readonly secret = copyField('Signing secret', { testid: 'webhook-secret' });
  private readonly secretNote = h('p', { className: 'muted' });
  private readonly secretBox = h('div', { hidden: true, attrs: { role: 'status' } }, this.secretNote, this.secret.element);
  private readonly items = h('ul', { className: 'recording-list', attrs: { 'data-testid': 'webhook-list' } });

  constructor(
    private readonly intents: WebhookIntents,
    /** Called when the section opens, so that nothing is read before the owner looks. */
    onOpen: () => void,
  ) {
    const form = webhookForm({ id: 'webhook-url', submitLabel: 'Add webhook' }, (url, events) => intents.add(url, events));
    form.setAttribute('data-testid', 'webhook-add');
    this.element = h(
      'details',
      { className: 'card card-details', attrs: { 'data-testid': 'webhooks' } },
      this.summary,
      h('p', { className: 'muted', textContent: 'Each event is POSTed as JSON, signed per Standard Webhooks, and retried for hours while the receiver fails.' }),
      form,
      this.secretBox,
      this.alert,
      this.items,
    );
    this.element.addEventListener('toggle', () => {
      if (this.element.open) onOpen();
    });
  }

  showWebhooks(webhooks: readonly Webhook[]): void {
    this.summary.textContent = `Webhooks (${webhooks.length})`;
    if (webhooks.length === 0) {
      this.items.replaceChildren(h('li', { className: 'muted', textContent: 'No webhooks yet.' }));
      return;
    }
    this.items.replaceChildren(...webhooks.map((webhook) => this.row(webhook)));
  }

  showCreated(webhook: CreatedWebhook): void {
    this.secretNote.textContent = `The signing secret of ${webhook.url}: copy it now, it is not shown again.`;
    this.secret.set(webhook.secret);
    this.secretBox.hidden = false;
  }

  showError(message: string | null): void {
    this.alert.textContent = message ?? '';
    this.alert.hidden = message === null;
  }

  private row(webhook: Webhook): HTMLLIElement {
    const edit = h(
      'details',
      { className: 'card-details', attrs: { 'data-testid': 'webhook-edit' } },
      h('summary', { textContent: 'Edit' }),
      webhookForm({ id: `webhook-url-${webhook.id}`, submitLabel: 'Save', initial: webhook }, (url, events) => this.intents.update(webhook, url, events)),
    );
    const remove = h('button', { type: 'button', className: 'btn btn-small btn-danger-ghost', textContent: 'Delete' });
    remove.addEventListener('click', () => void this.intents.remove(webhook));
    const log = h('ul', { className: 'recording-list', attrs: { 'data-testid': 'webhook-deliveries' } });
    const deliveries = h('details', { className: 'card-details' }, h('summary', { textContent: 'Recent deliveries' }), log);
    deliveries.addEventListener('toggle', async () => {
      if (!deliveries.open) return;
      const items = await this.intents.deliveries(webhook);
      if (items) log.replaceChildren(...(items.length > 0 ? items.map(deliveryRow) : [h('li', { className: 'muted', textContent: 'Nothing sent yet.' })]));
    });
    return h(
      'li',
      { className: 'recording', attrs: { 'data-testid': 'webhook', 'data-id': webhook.id } },
      h('span', { className: 'card-title', textContent: webhook.url, attrs: { 'data-testid': 'webhook-url' } }),
      h('span', { className: 'muted', textContent: webhook.events.join(', '), attrs: { 'data-testid': 'webhook-events' } }),
      h('span', { className: 'spacer' }),
      remove,
      edit,
      deliveries,
    );
  }
}

/** The URL and events of a webhook, empty to add one or filled to change one; cleared after an add. */
function webhookForm(
  o: { id: string; submitLabel: string; initial?: Webhook },
  submit: (url: string, events: WebhookEventType[]) => Promise<boolean>,
): HTMLFormElement {
  const url = h('input', { type: 'url', id: o.id, required: true, maxLength: WEBHOOK_URL_MAX, placeholder: 'https://example.com/axon-events' });
  url.value = o.initial?.url ?? '';
  const boxes = WEBHOOK_EVENT_TYPES.map((event) => h('input', { type: 'checkbox', value: event, checked: o.initial?.events.includes(event) ?? true }));
  const form = h(
    'form',
    { className: 'settings-group' },
    h('label', { className: 'field', htmlFor: o.id }, h('span', { className: 'field-label', textContent: 'Webhook URL' }), url),
    h('div', { className: 'card-links' }, ...boxes.map((box) => h('label', { className: 'check' }, box, ` ${box.value}`))),
    h('div', {}, h('button', { type: 'submit', className: 'btn btn-primary', textContent: o.submitLabel })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const events = boxes.filter((box) => box.checked).map((box) => box.value as WebhookEventType);
    if ((await submit(url.value.trim(), events)) && !o.initial) url.value = '';
  });
  return form;
}

function deliveryRow(delivery: WebhookDelivery): HTMLLIElement {
  const attempts = `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`;
  const why = delivery.state === 'delivered' || delivery.lastError === null ? '' : ` · ${delivery.lastError}`;
  return h(
    'li',
    { className: 'recording', attrs: { 'data-testid': 'webhook-delivery' } },
    h('span', { className: 'recording-when', textContent: new Date(delivery.createdAt).toLocaleString() }),
    h('span', { textContent: delivery.eventType }),
    h('span', { className: 'muted', textContent: `${delivery.state} · ${attempts}${why}` }),
  );
}
