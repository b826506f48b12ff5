import { h, setOptions } from '../dom.js';
import { Emitter } from '../emitter.js';
import type { PublisherState, VideoCodecChoice } from '../publish/publisher.js';
import { CAMERA_SIZES, type CameraSizeName } from './camera-size.js';
import type { CaptureKind } from './capture.js';
import { HealthPanel } from './health-panel.js';
import type { GoLive, StudioModel, StudioProtocol } from './studio-controller.js';

const indicatorText: Record<PublisherState, string> = {
  idle: 'Offline',
  connecting: 'Starting…',
  starting: 'Starting…',
  live: 'LIVE',
  ended: 'Offline',
};

export interface StudioViewEvents {
  goLive: [GoLive];
  end: [];
  switchDevice: [kind: CaptureKind, deviceId: string];
  cameraSize: [CameraSizeName];
}

/** The studio page: preview, stream form, errors and notes, health; reports what the streamer asks for. */
export class StudioView {
  readonly events = new Emitter<StudioViewEvents>();
  readonly health = new HealthPanel();
  /** Where the page mounts the chat. */
  readonly chatBox = h('div', { className: 'studio-chat' });
  private readonly title = h('h1', { className: 'studio-title', textContent: 'Studio' });
  private readonly indicator = h('span', { className: 'live-indicator', attrs: { 'data-testid': 'live-indicator', role: 'status' } });
  private readonly preview = h('video', { muted: true, autoplay: true, playsInline: true, className: 'preview-video' });
  private readonly keyInput: HTMLInputElement;
  private readonly pickers: Record<CaptureKind, HTMLSelectElement> = { video: h('select', { id: 'camera' }), audio: h('select', { id: 'microphone' }) };
  private readonly sizeSelect = h('select', { id: 'camera-size' }, ...CAMERA_SIZES.map(({ name, label }) => h('option', { value: name, textContent: label })));
  /** A camera that cannot give the size asked for gives its nearest one: the streamer sees which. */
  private readonly cameraGives = h('span', { className: 'muted', attrs: { 'data-testid': 'camera-gives' } });
  private readonly codecSelect = h(
    'select',
    { id: 'codec' },
    h('option', { value: 'vp8', textContent: 'VP8' }),
    h('option', { value: 'h264', textContent: 'H.264' }),
  );
  /** H.264 only: the layers become the viewers' quality levels without a server-side encode. */
  private readonly simulcastBox = h('input', { type: 'checkbox', id: 'simulcast', disabled: true });
  private readonly protocolSelect = h(
    'select',
    { id: 'protocol' },
    h('option', { value: 'webrtc', textContent: 'WebRTC (Socket.IO)' }),
    h('option', { value: 'whip', textContent: 'WHIP' }),
  );
  private readonly goLiveButton = h('button', { type: 'submit', className: 'btn btn-primary', textContent: 'Go live', disabled: true });
  private readonly endButton = h('button', { type: 'button', className: 'btn btn-danger', textContent: 'End stream', disabled: true });
  private readonly errorBox = h('p', { className: 'alert', hidden: true, attrs: { role: 'alert', 'data-testid': 'studio-error' } });
  private readonly note = h('p', { className: 'note', hidden: true, attrs: { role: 'status' } });

  constructor(root: HTMLElement, options: { watchUrl: string; streamKey: string }) {
    this.keyInput = h('input', {
      type: 'password',
      id: 'stream-key',
      autocomplete: 'off',
      spellcheck: false,
      value: options.streamKey,
      placeholder: 'Paste the stream key',
    });
    const form = h(
      'form',
      { className: 'studio-form' },
      field('Stream key', this.keyInput),
      field('Camera', this.pickers.video),
      field('Camera quality', this.sizeSelect, this.cameraGives),
      field('Microphone', this.pickers.audio),
      field('Video codec', this.codecSelect),
      field('Simulcast: send 3 sizes (H.264; the server passes them on as quality levels)', this.simulcastBox),
      field('Protocol', this.protocolSelect),
      h('div', { className: 'actions' }, this.goLiveButton, this.endButton),
    );
    const { watchUrl } = options;
    root.append(
      h('header', { className: 'topbar' }, h('a', { className: 'brand', href: '/', textContent: 'Axon' }), h('span', { className: 'topbar-sub', textContent: 'Studio' })),
      h(
        'div',
        { className: 'studio-grid' },
        h(
          'section',
          { className: 'preview-pane' },
          h('div', { className: 'preview-frame' }, this.preview, this.indicator),
          h('div', { className: 'studio-heading' }, this.title),
          h('p', { className: 'watch-link' }, 'Viewers watch at ', h('a', { href: watchUrl, target: '_blank', rel: 'noopener', textContent: watchUrl })),
          this.chatBox,
        ),
        h('aside', { className: 'controls-pane' }, form, this.errorBox, this.note, this.health.element),
      ),
    );

    for (const kind of ['video', 'audio'] as const) {
      const picker = this.pickers[kind];
      picker.addEventListener('change', () => this.events.emit('switchDevice', kind, picker.value));
    }
    this.sizeSelect.addEventListener('change', () => this.events.emit('cameraSize', this.sizeSelect.value as CameraSizeName));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.events.emit('goLive', {
        streamKey: this.keyInput.value,
        videoCodec: this.codecSelect.value as VideoCodecChoice,
        simulcast: this.simulcastBox.checked && this.codecSelect.value === 'h264',
        protocol: this.protocolSelect.value as StudioProtocol,
      });
    });
    this.endButton.addEventListener('click', () => this.events.emit('end'));
    this.codecSelect.addEventListener('change', () => (this.simulcastBox.disabled = this.codecSelect.value !== 'h264'));
  }

  render(model: StudioModel): void {
    if (model.name !== null) {
      this.title.textContent = model.name;
      document.title = `${model.name} · Axon Studio`;
    }
    this.indicator.textContent = indicatorText[model.state];
    this.indicator.dataset.state = model.state;
    this.goLiveButton.disabled = !model.canGoLive;
    this.endButton.disabled = !model.active;
    this.keyInput.disabled = model.active;
    this.codecSelect.disabled = model.active;
    this.sizeSelect.value = model.cameraSize;
    this.sizeSelect.disabled = model.active;
    this.cameraGives.textContent = model.cameraGives ? `The camera gives ${model.cameraGives.width}×${model.cameraGives.height}` : '';
    this.simulcastBox.disabled = model.active || this.codecSelect.value !== 'h264';
    this.protocolSelect.disabled = model.active;
    this.errorBox.textContent = model.error ?? '';
    this.errorBox.hidden = model.error === null;
    if (model.errorCode) this.errorBox.dataset.code = model.errorCode;
    else delete this.errorBox.dataset.code;
    this.note.textContent = model.note ?? '';
    this.note.hidden = model.note === null;
  }

  showPreview(stream: MediaStream): void {
    this.preview.srcObject = stream;
  }

  showDevices(kind: CaptureKind, options: Array<[string, string]>, current: string): void {
    const picker = this.pickers[kind];
    setOptions(picker, options);
    picker.value = current;
    picker.disabled = options.length === 0;
  }
}

function field(label: string, control: HTMLInputElement | HTMLSelectElement, hint?: HTMLElement): HTMLElement {
  return h('label', { className: 'field', htmlFor: control.id }, h('span', { className: 'field-label', textContent: label }), control, hint);
}
