import { RESTREAM_KEY_MAX, RESTREAM_NAME_MAX, RESTREAM_PRESETS, RESTREAM_URL_MAX, type RestreamTarget } from '../../../shared/restream.js';
import { h } from '../dom.js';
import { formatClock } from '../player/dvr.js';
import { REFRESH_MS } from './dashboard-controller.js';
import type { RestreamIntents } from './restreams-controller.js';

const CUSTOM = 'custom';

/**
 * A livestream's restream targets on its card: a form with the YouTube and Twitch presets (or any RTMP(S)
 * URL) and the stream key, and each target with its status, bitrate out and uptime, Enable/Disable and
 * Delete. Read when opened, and again every few seconds while open, so the status follows the broadcast.
 */
export class RestreamPanel {
  readonly element: HTMLDetailsElement;
  private readonly summary = h('summary', { textContent: 'Restream' });
  private readonly alert = h('p', { className: 'alert', hidden: true, attrs: { role: 'alert', 'data-testid': 'restream-error' } });
  private readonly items = h('ul', { className: 'recording-list', attrs: { 'data-testid': 'restreams' } });
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intents: RestreamIntents,
    livestreamId: string,
  ) {
    const field = (label: string, input: HTMLInputElement | HTMLSelectElement) =>
      h('label', { className: 'field', htmlFor: input.id }, h('span', { className: 'field-label', textContent: label }), input);
    const preset = h(
      'select',
      { id: `restream-preset-${livestreamId}` },
      ...RESTREAM_PRESETS.map((p) => h('option', { value: p.url, textContent: p.name })),
      h('option', { value: CUSTOM, textContent: 'Other RTMP(S) server' }),
    );
    const name = h('input', { type: 'text', id: `restream-name-${livestreamId}`, required: true, maxLength: RESTREAM_NAME_MAX });
    const url = h('input', { type: 'text', id: `restream-url-${livestreamId}`, required: true, maxLength: RESTREAM_URL_MAX, placeholder: 'rtmps://ingest.example.com/app' });
    const key = h('input', { type: 'password', id: `restream-key-${livestreamId}`, required: true, maxLength: RESTREAM_KEY_MAX, autocomplete: 'off' });
    const choose = () => {
      const chosen = RESTREAM_PRESETS.find((p) => p.url === preset.value);
      name.value = chosen?.name ?? '';
      url.value = chosen?.url ?? '';
      url.readOnly = chosen !== undefined;
    };
    preset.addEventListener('change', choose);
    choose();
    const form = h(
      'form',
      { className: 'settings-group' },
      field('Destination', preset),
      field('Name', name),
      field('Server URL', url),
      field('Stream key', key),
      h('div', {}, h('button', { type: 'submit', className: 'btn btn-primary btn-small', textContent: 'Add target' })),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (await intents.add({ name: name.value.trim(), url: url.value.trim(), streamKey: key.value })) key.value = '';
    });
    this.element = h('details', { className: 'card-details', attrs: { 'data-testid': 'restream-panel' } }, this.summary, this.items, form, this.alert);
    intents.events.on('targets', (targets) => this.show(targets));
    intents.events.on('error', (message) => {
      this.alert.textContent = message ?? '';
      this.alert.hidden = message === null;
    });
    this.element.addEventListener('toggle', () => this.poll());
  }

  /** Reads the targets now and every few seconds while the panel is open; stops when it closes. */
  private poll(): void {
    clearTimeout(this.timer);
    if (!this.element.open || !this.element.isConnected) return;
    void this.intents.load().finally(() => {
      this.timer = setTimeout(() => this.poll(), REFRESH_MS);
    });
  }

  private show(targets: readonly RestreamTarget[]): void {
    const live = targets.filter((t) => t.status === 'live').length;
    this.summary.textContent = targets.length === 0 ? 'Restream' : `Restream (${live} of ${targets.length} live)`;
    if (targets.length === 0) {
      this.items.replaceChildren(h('li', { className: 'muted', textContent: 'No targets yet. Each enabled target receives every broadcast of this livestream.' }));
      return;
    }
    this.items.replaceChildren(...targets.map((t) => this.row(t)));
  }

  private row(target: RestreamTarget): HTMLLIElement {
    // Named after the target: the card has Disable and Delete buttons of its own.
    const toggle = h('button', {
      type: 'button',
      className: 'btn btn-small btn-ghost',
      textContent: target.enabled ? 'Disable' : 'Enable',
      attrs: { 'aria-label': `${target.enabled ? 'Disable' : 'Enable'} restream to ${target.name}` },
    });
    toggle.addEventListener('click', () => void this.intents.setEnabled(target, !target.enabled));
    const remove = h('button', { type: 'button', className: 'btn btn-small btn-danger-ghost', textContent: 'Delete', attrs: { 'aria-label': `Delete restream to ${target.name}` } });
    remove.addEventListener('click', () => void this.intents.remove(target));
    return h(
      'li',
      { className: 'recording', attrs: { 'data-testid': 'restream', 'data-id': target.id } },
      h('span', { className: 'card-title', textContent: target.name }),
      h('span', { className: 'muted', textContent: `${target.url} · key ${target.streamKeyMasked}` }),
      h('span', { className: `badge${target.status === 'live' ? ' badge-live' : ''}`, textContent: target.enabled ? target.status : 'disabled', attrs: { 'data-testid': 'restream-status' } }),
      h('span', { className: 'muted', textContent: detail(target), attrs: { 'data-testid': 'restream-detail' } }),
      h('span', { className: 'spacer' }),
      toggle,
      remove,
    );
  }
}

/** What the status alone does not say: the reason of a failure, or how much goes out and for how long. */
function detail(t: RestreamTarget): string {
  if (t.reason) return t.reason.message;
  if (t.status !== 'live') return '';
  const kbps = t.bitrateOut === null ? '' : `${Math.round(t.bitrateOut / 1000)} kbit/s · `;
  return `${kbps}${formatClock(t.uptimeS ?? 0)} · ${t.source === 'passthrough' ? 'as published' : 'from a rung of the ladder'}`;
}
