import { watchPath } from '../../../shared/public-paths.js';
import { getPublicLivestream } from '../api.js';
import { mountChatPanel } from '../chat/chat-panel.js';
import { appRoot, h } from '../dom.js';
import { MediasoupPublisher } from '../publish/mediasoup-publisher.js';
import { WhipPublisher } from '../publish/whip-publisher.js';
import { livestreamIdFromPath, streamKeyFromHash } from '../route.js';
import { cameraSize } from '../studio/camera-size.js';
import { storedCameraSize, storeCameraSize } from '../studio/camera-size-store.js';
import { Capture, listDevices } from '../studio/capture.js';
import { StudioController } from '../studio/studio-controller.js';
import { StudioView } from '../studio/studio-view.js';

const root = appRoot();
const livestreamId = livestreamIdFromPath(location.pathname);

if (!livestreamId) {
  root.append(h('p', { className: 'notice', textContent: 'No livestream in this address.' }));
} else {
  mountStudio(livestreamId);
}

function mountStudio(id: string): void {
  // The dashboard hands the key over in the fragment (never sent to a server); keep it out of history too.
  const keyFromLink = streamKeyFromHash(location.hash);
  if (keyFromLink) history.replaceState(null, '', location.pathname + location.search);

  const view = new StudioView(root, { watchUrl: `${location.origin}${watchPath(id)}`, streamKey: keyFromLink ?? '' });
  // With the key the streamer moderates; without it the studio still shows the chat.
  mountChatPanel(view.chatBox, { livestreamId: id, ...(keyFromLink && { moderator: { streamKey: keyFromLink } }) });

  const capture = new Capture(cameraSize(storedCameraSize()));
  const controller = new StudioController(id, {
    livestream: getPublicLivestream,
    capture,
    listDevices,
    createPublisher: (protocol) => (protocol === 'whip' ? new WhipPublisher() : new MediasoupPublisher()),
  });
  controller.events.on('changed', (model) => view.render(model));
  controller.events.on('captureOpened', () => {
    view.showPreview(capture.stream);
    navigator.mediaDevices.addEventListener('devicechange', () => void controller.refreshDevices());
  });
  controller.events.on('devices', (kind, options, current) => view.showDevices(kind, options, current));
  controller.events.on('publisher', (publisher) => view.health.follow(publisher));
  view.events.on('goLive', (choice) => void controller.goLive(choice));
  view.events.on('end', () => controller.end());
  view.events.on('switchDevice', (kind, deviceId) => void controller.switchDevice(kind, deviceId));
  view.events.on('cameraSize', (name) => {
    storeCameraSize(name);
    void controller.chooseCameraSize(name);
  });
  view.render(controller.model);
  void controller.open();
}
