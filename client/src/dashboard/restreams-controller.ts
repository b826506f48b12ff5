import type { RestreamTarget } from '../../../shared/restream.js';
import type { RestreamsApi } from '../api.js';
import { Emitter } from '../emitter.js';
import { errorMessage, reportedCall } from './dashboard-controller.js';

export interface RestreamsDeps {
  api: Pick<RestreamsApi, 'list' | 'create' | 'update' | 'remove'>;
  livestreamId: string;
  confirm(dialog: { title: string; message: string; confirmLabel: string; danger: boolean }): Promise<boolean>;
}

export interface RestreamsEvents {
  targets: [RestreamTarget[]];
  /** What went wrong with the last call; null once one succeeded. */
  error: [message: string | null];
}

/** What the owner can do with one livestream's restream targets. */
export interface RestreamIntents {
  readonly events: Emitter<RestreamsEvents>;
  /** Reads the targets with their status again. */
  load(): Promise<void>;
  /** True when added. */
  add(target: { name: string; url: string; streamKey: string }): Promise<boolean>;
  setEnabled(target: RestreamTarget, enabled: boolean): Promise<void>;
  remove(target: RestreamTarget): Promise<void>;
}

/** One livestream's restream targets on its dashboard card, over the API. */
export class RestreamsController implements RestreamIntents {
  readonly events = new Emitter<RestreamsEvents>();
  /** A newer load supersedes one in flight, so a slow answer never overwrites a newer one. */
  private loadSeq = 0;

  constructor(private readonly deps: RestreamsDeps) {}

  async load(): Promise<void> {
    const seq = ++this.loadSeq;
    const list = await this.run(() => this.deps.api.list(this.deps.livestreamId));
    if (list && seq === this.loadSeq) this.events.emit('targets', list.items);
  }

  async add(target: { name: string; url: string; streamKey: string }): Promise<boolean> {
    const created = await this.run(() => this.deps.api.create(this.deps.livestreamId, target));
    if (created) await this.load();
    return created !== undefined;
  }

  async setEnabled(target: RestreamTarget, enabled: boolean): Promise<void> {
    if (await this.run(() => this.deps.api.update(this.deps.livestreamId, target.id, { enabled }))) await this.load();
  }

  async remove(target: RestreamTarget): Promise<void> {
    const confirmed = await this.deps.confirm({
      title: `Delete ${target.name}?`,
      message: `${target.url} stops receiving this livestream, and its stream key is forgotten.`,
      confirmLabel: 'Delete',
      danger: true,
    });
    if (!confirmed) return;
    const removed = await this.run(async () => {
      await this.deps.api.remove(this.deps.livestreamId, target.id);
      return true;
    });
    if (removed) await this.load();
  }

  private run<T>(call: () => Promise<T>): Promise<T | undefined> {
    return reportedCall(call, (error) => this.events.emit('error', error === null ? null : errorMessage(error)));
  }
}
