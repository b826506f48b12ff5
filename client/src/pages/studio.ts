import { watchPath } from '../../../shared/public-paths.js';
import { ApiError, getPublicLivestream } from '../api.js';
import { mountChatPanel } from '../chat/chat-panel.js';
import { appRoot, h, setOptions } from '../dom.js';
import { MediasoupPublisher } from '../publish/mediasoup-publisher.js';
import { PublishError, type Publisher, type PublisherState, type VideoCodecChoice } from '../publish/publisher.js';
import { WhipPublisher } from '../publish/whip-publisher.js';
import { livestreamIdFromPath, streamKeyFromHash } from '../route.js';
import { Capture, listDevices, type CaptureKind } from '../studio/capture.js';
import { HealthPanel } from '../studio/health-panel.js';

const root = appRoot();
const livestreamId = livestreamIdFromPath(location.pathname);

const indicatorText: Record<PublisherState, string> = {
  idle: 'Offline',
  connecting: 'Starting…',
  starting: 'Starting…',
  live: 'LIVE',
  ended: 'Offline',
};

if (!livestreamId) {
  root.append(h('p', { className: 'notice', textContent: 'No livestream in this address.' }));
} else {
  mountStudio(livestreamId);
}

function mountStudio(id: string): void {
  // The dashboard hands the key over in the fragment (never sent to a server); keep it out of history too.
  const keyFromLink = streamKeyFromHash(location.hash);
  if (keyFromLink) history.replaceState(null, '', location.pathname + location.search);

  const title = h('h1', { className: 'studio-title', textContent: 'Studio' });
  const indicator = h('span', { className: 'live-indicator', attrs: { 'data-testid': 'live-indicator', role: 'status' } });
  const preview = h('video', { muted: true, autoplay: true, playsInline: true, className: 'preview-video' });
  const keyInput = h('input', {
    type: 'password',
    id: 'stream-key',
    autocomplete: 'off',
    spellcheck: false,
    value: keyFromLink ?? '',
    placeholder: 'Paste the stream key',
  });
  const cameraSelect = h('select', { id: 'camera' });
  const micSelect = h('select', { id: 'microphone' });
  const codecSelect = h(
    'select',
    { id: 'codec' },
    h('option', { value: 'vp8', textContent: 'VP8' }),
    h('option', { value: 'h264', textContent: 'H.264' }),
  );
  const protocolSelect = h(
    'select',
    { id: 'protocol' },
    h('option', { value: 'webrtc', textContent: 'WebRTC (Socket.IO)' }),
    h('option', { value: 'whip', textContent: 'WHIP' }),
  );
  const goLive = h('button', { type: 'submit', className: 'btn btn-primary', textContent: 'Go live', disabled: true });
  const endStream = h('button', { type: 'button', className: 'btn btn-danger', textContent: 'End stream', disabled: true });
  const errorBox = h('p', { className: 'alert', hidden: true, attrs: { role: 'alert', 'data-testid': 'studio-error' } });
  const note = h('p', { className: 'note', hidden: true, attrs: { role: 'status' } });
  const health = new HealthPanel();
  const watchUrl = `${location.origin}${watchPath(id)}`;
  const chatBox = h('div', { className: 'studio-chat' });

  const form = h(
    'form',
    { className: 'studio-form' },
    field('Stream key', keyInput),
    field('Camera', cameraSelect),
    field('Microphone', micSelect),
    field('Video codec', codecSelect),
    field('Protocol', protocolSelect),
    h('div', { className: 'actions' }, goLive, endStream),
  );
  root.append(
    h('header', { className: 'topbar' }, h('a', { className: 'brand', href: '/', textContent: 'Axon' }), h('span', { className: 'topbar-sub', textContent: 'Studio' })),
    h(
      'div',
      { className: 'studio-grid' },
      h(
        'section',
        { className: 'preview-pane' },
        h('div', { className: 'preview-frame' }, preview, indicator),
        h('div', { className: 'studio-heading' }, title),
        h('p', { className: 'watch-link' }, 'Viewers watch at ', h('a', { href: watchUrl, target: '_blank', rel: 'noopener', textContent: watchUrl })),
        chatBox,
      ),
      h('aside', { className: 'controls-pane' }, form, errorBox, note, health.element),
    ),
  );

  // With the key the streamer moderates; without it the studio still shows the chat.
  mountChatPanel(chatBox, { livestreamId: id, ...(keyFromLink && { moderator: { streamKey: keyFromLink } }) });

  const capture = new Capture();
  let publisher: Publisher | null = null;
  let cameraReady = false;
  let livestreamKnown = true;

  /** The refusal's code, when the server gave one, goes beside its words (for scripts and tests). */
  const showError = (message: string | null, code?: string) => {
    errorBox.textContent = message ?? '';
    errorBox.hidden = message === null;
    if (code) errorBox.dataset.code = code;
    else delete errorBox.dataset.code;
  };
  const showNote = (message: string | null) => {
    note.textContent = message ?? '';
    note.hidden = message === null;
  };
  const render = () => {
    const state = publisher?.state ?? 'idle';
    const active = state === 'connecting' || state === 'starting' || state === 'live';
    indicator.textContent = indicatorText[state];
    indicator.dataset.state = state;
    goLive.disabled = active || !cameraReady || !livestreamKnown;
    endStream.disabled = !active;
    keyInput.disabled = active;
    codecSelect.disabled = active;
    protocolSelect.disabled = active;
  };
  render();

  getPublicLivestream(id)
    .then((info) => {
      title.textContent = info.name;
      document.title = `${info.name} · Axon Studio`;
    })
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) {
        livestreamKnown = false;
        render();
      }
      showError(error instanceof Error ? error.message : String(error));
    });

  const fillPickers = async () => {
    for (const [kind, select] of [['video', cameraSelect], ['audio', micSelect]] as const) {
      const devices = await listDevices(kind);
      setOptions(select, devices.map((d, i) => [d.deviceId, d.label || `${kind === 'video' ? 'Camera' : 'Microphone'} ${i + 1}`]));
      select.value = capture.deviceId(kind);
      select.disabled = devices.length === 0;
    }
  };

  capture
    .open()
    .then(async () => {
      preview.srcObject = capture.stream;
      cameraReady = true;
      render();
      await fillPickers();
      navigator.mediaDevices.addEventListener('devicechange', () => void fillPickers());
    })
    .catch((error: unknown) => showError(error instanceof Error ? error.message : String(error)));

  const switchDevice = async (kind: CaptureKind, deviceId: string) => {
    try {
      const track = await capture.switchDevice(kind, deviceId);
      const state = publisher?.state;
      if (publisher && (state === 'connecting' || state === 'starting' || state === 'live')) await publisher.replaceTrack(kind, track);
      showError(null);
    } catch (error) {
      showError(error instanceof Error ? error.message : String(error));
    }
  };
  cameraSelect.addEventListener('change', () => void switchDevice('video', cameraSelect.value));
  micSelect.addEventListener('change', () => void switchDevice('audio', micSelect.value));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void startBroadcast();
  });
  endStream.addEventListener('click', () => void publisher?.end());

  async function startBroadcast(): Promise<void> {
    showError(null);
    showNote(null);
    const streamKey = keyInput.value.trim();
    const video = capture.track('video');
    if (!streamKey) {
      showError('Enter the stream key.');
      return;
    }
    if (!video) return;
    const current = protocolSelect.value === 'whip' ? new WhipPublisher() : new MediasoupPublisher();
    publisher = current;
    current.events.on('state', render);
    current.events.on('failed', (error) => showError(error.message, error.code));
    current.events.on('endedByServer', (reason) => showNote(`The stream ended: ${reason}`));
    health.follow(current);
    try {
      await current.start({
        livestreamId: id,
        streamKey,
        video,
        audio: capture.track('audio'),
        videoCodec: codecSelect.value as VideoCodecChoice,
      });
    } catch (error) {
      if (error instanceof PublishError && error.kind === 'cancelled') return;
      showError(error instanceof Error ? error.message : String(error), error instanceof PublishError ? error.code : undefined);
    }
  }
}

function field(label: string, control: HTMLInputElement | HTMLSelectElement): HTMLElement {
  return h('label', { className: 'field', htmlFor: control.id }, h('span', { className: 'field-label', textContent: label }), control);
}
