import type { PublicLivestream } from '../../../shared/livestream.js';
import { mountChatPanel } from '../chat/chat-panel.js';
import { appRoot, h } from '../dom.js';
import { mountPlayerView } from '../player/player-view.js';
import { formatFromQuery } from '../player/player.js';
import { livestreamIdFromPath } from '../route.js';
import { statusBadge, updateStatusBadge } from '../status-badge.js';

const root = appRoot();
const livestreamId = livestreamIdFromPath(location.pathname);

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
    h('section', { className: 'watch-meta' }, title, h('div', { className: 'watch-meta-row' }, badge, viewers)),
    chat,
  );
  mountChatPanel(chat, { livestreamId });
  const showInfo = (info: PublicLivestream) => {
    title.textContent = info.name;
    document.title = `${info.name} · Axon`;
    updateStatusBadge(badge, info.status);
    viewers.textContent = info.status === 'live' ? `${info.viewers} watching` : '';
  };
  mountPlayerView(stage, {
    livestreamId,
    format: formatFromQuery(location.search),
    readouts: true,
    onInfo: showInfo,
  });
}
