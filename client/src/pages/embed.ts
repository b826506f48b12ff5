import { appRoot, h } from '../dom.js';
import { mountPlayerView } from '../player/player-view.js';
import { formatFromQuery } from '../player/engine-choice.js';
import { livestreamIdFromPath } from '../route.js';

const root = appRoot();
const livestreamId = livestreamIdFromPath(location.pathname);

if (!livestreamId) {
  root.append(h('p', { className: 'notice', textContent: 'No livestream in this address.' }));
} else {
  mountPlayerView(root, { livestreamId, format: formatFromQuery(location.search), readouts: false });
}
