import type { Livestream } from '../../../shared/livestream.js';
import { embedPath, studioPath, watchPath } from '../../../shared/public-paths.js';
import type { Recording } from '../../../shared/recording.js';
import { copyField } from '../clipboard.js';
import { h, showPicture } from '../dom.js';
import { statusBadge, updateStatusBadge } from '../status-badge.js';
import { IngestHealthPanel } from './ingest-health-panel.js';
import { RecordingList } from './recording-list.js';
import { RestreamPanel } from './restream-panel.js';
import type { RestreamIntents } from './restreams-controller.js';

export interface CardActions {
  rename(livestream: Livestream): void;
  rotateKey(livestream: Livestream): void;
  /** Disabling ends a broadcast going on and refuses every publish until the livestream is enabled again. */
  setEnabled(livestream: Livestream, enabled: boolean): void;
  remove(livestream: Livestream): void;
  recordings(livestream: Livestream): Promise<Recording[] | undefined>;
  removeRecording(livestream: Livestream, recording: Recording): Promise<boolean>;
  /** The livestream's restream targets (its own panel on the card). */
  restreams(livestream: Livestream): RestreamIntents;
}

/** The studio link carries the key in the fragment, which browsers never send to a server. */
export const studioLink = (ls: Pick<Livestream, 'id' | 'streamKey'>): string =>
  `${studioPath(ls.id)}#key=${encodeURIComponent(ls.streamKey)}`;

/** One livestream on the dashboard; update() refreshes it in place so open details and focus survive a refresh. */
export class LivestreamCard {
  readonly element: HTMLElement;
  private livestream: Livestream;
  private readonly name = h('h3', { className: 'card-title', attrs: { 'data-testid': 'livestream-name' } });
  private readonly thumbnail = h('img', { className: 'card-thumb', hidden: true, attrs: { 'data-testid': 'livestream-thumbnail' } });
  private readonly badge = statusBadge();
  private readonly disabledBadge = h('span', { className: 'badge badge-disabled', textContent: 'disabled', attrs: { 'data-testid': 'livestream-disabled' } });
  private readonly enabledToggle = h('button', { type: 'button', className: 'btn btn-small btn-ghost' });
  private readonly viewers = h('span', { className: 'viewers', attrs: { 'data-testid': 'livestream-viewers' } });
  private readonly created = h('span', { className: 'muted' });
  private readonly recordFlag = h('span', { className: 'muted' });
  private readonly studio = h('a', { className: 'btn btn-primary btn-small', target: '_blank', rel: 'noopener', textContent: 'Go live from browser' });
  private readonly watch = h('a', { className: 'btn btn-small', target: '_blank', rel: 'noopener', textContent: 'Watch' });
  private readonly embed = h('a', { className: 'btn btn-small', target: '_blank', rel: 'noopener', textContent: 'Embed preview' });
  private readonly rtmpServer = copyField('Server', { testid: 'rtmp-url' });
  private readonly rtmpsServer = copyField('Server (RTMPS, encrypted)', { testid: 'rtmps-url' });
  private readonly rtmpKey = copyField('Stream key', { secret: true, testid: 'stream-key' });
  private readonly whipServer = copyField('Server', { testid: 'whip-url' });
  private readonly whipToken = copyField('Bearer token', { secret: true });
  private readonly playerUrl = copyField('Player URL', { testid: 'player-url' });
  private readonly embedHtml = copyField('Embed code', { multiline: true, testid: 'embed-html' });
  private readonly recordings: RecordingList;
  private readonly health = new IngestHealthPanel();

  constructor(livestream: Livestream, actions: CardActions) {
    this.livestream = livestream;
    this.recordings = new RecordingList({
      load: () => actions.recordings(this.livestream),
      remove: (recording) => actions.removeRecording(this.livestream, recording),
    });
    const action = (label: string, run: (ls: Livestream) => void, className = 'btn btn-small btn-ghost') => {
      const button = h('button', { type: 'button', className, textContent: label });
      button.addEventListener('click', () => run(this.livestream));
      return button;
    };
    this.enabledToggle.addEventListener('click', () => actions.setEnabled(this.livestream, !this.livestream.enabled));
    this.element = h(
      'article',
      { className: 'card', attrs: { 'data-testid': 'livestream', 'data-id': livestream.id } },
      h('div', { className: 'card-head' }, this.thumbnail, this.name, this.badge, this.disabledBadge, this.viewers),
      h('div', { className: 'card-meta' }, this.created, this.recordFlag),
      h('div', { className: 'card-links' }, this.studio, this.watch, this.embed),
      this.health.element,
      h(
        'details',
        { className: 'card-details' },
        h('summary', { textContent: 'Stream settings' }),
        h('div', { className: 'settings-group' }, h('h4', { textContent: 'OBS · RTMP' }), this.rtmpServer.element, this.rtmpsServer.element, this.rtmpKey.element),
        h('div', { className: 'settings-group' }, h('h4', { textContent: 'OBS · WHIP' }), this.whipServer.element, this.whipToken.element),
        h('div', { className: 'settings-group' }, h('h4', { textContent: 'Share' }), this.playerUrl.element, this.embedHtml.element),
      ),
      this.recordings.element,
      new RestreamPanel(actions.restreams(livestream), livestream.id).element,
      h(
        'div',
        { className: 'card-actions' },
        action('Rename', (ls) => actions.rename(ls)),
        action('Rotate key', (ls) => actions.rotateKey(ls)),
        this.enabledToggle,
        action('Delete', (ls) => actions.remove(ls), 'btn btn-small btn-danger-ghost'),
      ),
    );
    this.update(livestream);
  }

  update(ls: Livestream): void {
    // A broadcast that just ended may have left a recording.
    if (this.livestream.status === 'live' && ls.status !== 'live') void this.recordings.refresh();
    this.livestream = ls;
    this.name.textContent = ls.name;
    this.thumbnail.alt = `Latest picture of ${ls.name}`;
    this.thumbnail.hidden = ls.thumbnailUrl === null;
    showPicture(this.thumbnail, ls.thumbnailUrl);
    updateStatusBadge(this.badge, ls.status);
    this.element.classList.toggle('card-disabled', !ls.enabled);
    this.disabledBadge.hidden = ls.enabled;
    this.enabledToggle.textContent = ls.enabled ? 'Disable' : 'Enable';
    this.viewers.textContent = ls.status === 'live' ? `${ls.viewers} watching` : '';
    this.created.textContent = `Created ${new Date(ls.createdAt).toLocaleString()}`;
    this.recordFlag.textContent = ls.record ? 'Recording on' : 'Recording off';
    this.studio.href = studioLink(ls);
    this.watch.href = watchPath(ls.id);
    this.embed.href = embedPath(ls.id);
    this.rtmpServer.set(ls.rtmpUrl);
    this.rtmpsServer.element.hidden = ls.rtmpsUrl === null;
    this.rtmpsServer.set(ls.rtmpsUrl ?? '');
    this.rtmpKey.set(ls.streamKey);
    this.whipServer.set(ls.whipUrl);
    this.whipToken.set(ls.streamKey);
    this.playerUrl.set(ls.playerUrl);
    this.embedHtml.set(ls.embedHtml);
    this.health.update(ls.health);
  }
}
