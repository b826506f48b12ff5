import type { PublicLivestream } from '../../../shared/livestream.js';
import { RECORDING_QUERY_PARAM } from '../../../shared/recording.js';
import { mountChatPanel } from '../chat/chat-panel.js';
import { appRoot, h } from '../dom.js';
import { formatPicker } from '../player/format-picker.js';
import { mountPlayerView } from '../player/player-view.js';
import { formatFromQuery } from '../player/engine-choice.js';
import { livestreamIdFromPath } from '../route.js';
import { statusBadge, updateStatusBadge } from '../status-badge.js';

const root = appRoot();
const livestreamId = livestreamIdFromPath(location.pathname);
/** `?recording=<id>`: the page plays that recording of the livestream instead of its live broadcast. */
const recordingId = new URLSearchParams(location.search).get(RECORDING_QUERY_PARAM);

if (!livestreamId) {
  root.append(h('p', { className: 'notice', textContent: 'No livestream in this address.' }));
} else {
  const title = h('h1', { className: 'watch-title', textContent: 'Livestream' });
  const badge = statusBadge();
  const viewers = h('span', { className: 'viewers', attrs: { 'data-testid': 'viewers' } });
  const stage = h('section', { className: 'watch-stage' });
  const chat = h('aside', { className: 'watch-chat' });
  root.append(
    h('header', { className: 'topbar' }, h('a', { className: 'brand', href: '/', textContent: 'Axon' })),
    stage,
    // A replay has no live status, viewers or chat of its own.
    h('section', { className: 'watch-meta' }, title, !recordingId && h('div', { className: 'watch-meta-row' }, badge, viewers, formatPicker(formatFromQuery(location.search)))),
    ...(recordingId ? [] : [chat]),
  );
  if (!recordingId) mountChatPanel(chat, { livestreamId });
  const showInfo = (info: PublicLivestream) => {
    const name = recordingId ? `${info.name} (replay)` : info.name;
    title.textContent = name;
    document.title = `${name} · Axon`;
    if (recordingId) return;
    updateStatusBadge(badge, info.status);
    viewers.textContent = info.status === 'live' ? `${info.viewers} watching` : '';
  };
  mountPlayerView(stage, {
    livestreamId,
    recordingId,
    format: formatFromQuery(location.search),
    readouts: true,
    onInfo: showInfo,
  });
}
