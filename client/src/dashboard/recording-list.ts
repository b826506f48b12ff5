import type { Recording } from '../../../shared/recording.js';
import { h } from '../dom.js';
import { formatClock } from '../player/dvr.js';

export interface RecordingSource {
  /** The livestream's recordings, newest first; undefined when they could not be read (the page shows why). */
  load(): Promise<Recording[] | undefined>;
  /** Deletes one after asking; true when it is gone. */
  remove(recording: Recording): Promise<boolean>;
}

/** A livestream's recordings on its dashboard card, read when opened and again whenever a broadcast may have added one. */
export class RecordingList {
  readonly element: HTMLDetailsElement;
  private readonly summary = h('summary', { textContent: 'Recordings' });
  private readonly items = h('ul', { className: 'recording-list', attrs: { 'data-testid': 'recordings' } });
  /** A newer load supersedes one in flight. */
  private loadSeq = 0;

  constructor(private readonly source: RecordingSource) {
    this.element = h('details', { className: 'card-details' }, this.summary, this.items);
    this.element.addEventListener('toggle', () => {
      if (this.element.open) void this.refresh();
    });
  }

  /** Reads the list again if it is open; a closed list is read when it opens. */
  async refresh(): Promise<void> {
    if (!this.element.open) return;
    const seq = ++this.loadSeq;
    const recordings = await this.source.load();
    if (seq !== this.loadSeq || !recordings) return;
    this.summary.textContent = `Recordings (${recordings.length})`;
    if (recordings.length === 0) {
      this.items.replaceChildren(h('li', { className: 'muted', textContent: 'No recordings yet. Broadcasts of a livestream with recording on are kept here.' }));
      return;
    }
    this.items.replaceChildren(...recordings.map((recording) => this.row(recording)));
  }

  private row(recording: Recording): HTMLLIElement {
    const remove = h('button', { type: 'button', className: 'btn btn-small btn-danger-ghost', textContent: 'Delete' });
    remove.addEventListener('click', async () => {
      if (await this.source.remove(recording)) await this.refresh();
    });
    const started = new Date(recording.startedAt).toLocaleString();
    const interrupted = recording.status === 'interrupted' ? ' · interrupted' : '';
    return h(
      'li',
      { className: 'recording', attrs: { 'data-testid': 'recording', 'data-id': recording.id } },
      recording.thumbnailUrl !== null &&
        h('img', { className: 'recording-thumb', src: recording.thumbnailUrl, alt: `Recording of ${started}`, loading: 'lazy', attrs: { 'data-testid': 'recording-thumbnail' } }),
      h('span', { className: 'recording-when', textContent: started }),
      h('span', { className: 'muted', attrs: { 'data-testid': 'recording-duration' }, textContent: `${formatClock(recording.duration)}${interrupted}` }),
      h('span', { className: 'spacer' }),
      h('a', { className: 'btn btn-small', href: recording.playerUrl, target: '_blank', rel: 'noopener', textContent: 'Watch' }),
      remove,
    );
  }
}
