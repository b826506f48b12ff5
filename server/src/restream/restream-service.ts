import { randomBytes } from 'node:crypto';
import { RESTREAM_TARGETS_MAX, type RestreamTarget } from '../../../shared/restream.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { EmitWebhookEvent } from '../webhooks/webhook-service.js';
import { BroadcastRestreams } from './broadcast-restreams.js';
import type { RestreamableBroadcast } from './push-source.js';
import type { RestreamChanges, RestreamRecord, RestreamRepository } from './restream-repository.js';
import type { MeteredPush } from './restream-metrics.js';
import { restreamView } from './restream-view.js';
import type { PushBackoff } from './target-push.js';

export interface RestreamServiceOptions {
  repository: RestreamRepository;
  ffmpegPath: string;
  config: Config['restream'];
  /** Where `restream.failed` goes; absent where webhooks do not exist. */
  emit?: EmitWebhookEvent | undefined;
  log: Logger;
  backoff?: PushBackoff;
}

export class TooManyRestreamsError extends Error {
  constructor() {
    super(`this livestream already has ${RESTREAM_TARGETS_MAX} restream targets, its limit: delete one first`);
  }
}

const newRestreamId = () => `rs_${randomBytes(12).toString('base64url')}`;

/** A broadcast as the service follows it: what its pushes read, and its end. */
export type RestreamedBroadcast = RestreamableBroadcast & { once(event: 'ended', listener: () => void): unknown };

/**
 * Restream targets and their pushes: the targets' registration, and a BroadcastRestreams for each live
 * broadcast of this process, started with the broadcast and stopped with it. A change to a target applies
 * to a live broadcast at once.
 */
export class RestreamService {
  private readonly broadcasts = new Map<string, BroadcastRestreams>();
  /** Pushes of ended broadcasts still disconnecting: close() waits for them. */
  private readonly stopping = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(private readonly o: RestreamServiceOptions) {
    this.log = o.log;
  }

  /** Starts the broadcast's pushes (one per enabled target) and stops them when it ends. */
  attach(broadcast: RestreamedBroadcast): void {
    const id = broadcast.livestreamId;
    const pushes = new BroadcastRestreams(broadcast, {
      ffmpegPath: this.o.ffmpegPath,
      maxHeight: this.o.config.maxHeight,
      caFile: this.o.config.caFile,
      log: this.log.child(id),
      backoff: this.o.backoff,
      onStatus: (target, status, reason) => {
        if (status === 'failed' && reason) this.o.emit?.('restream.failed', { livestreamId: id, restreamId: target.id, name: target.name, url: target.url, reason });
      },
    });
    this.broadcasts.set(id, pushes);
    broadcast.once('ended', () => {
      if (this.broadcasts.get(id) === pushes) this.broadcasts.delete(id);
      const stopped: Promise<void> = pushes.stop().finally(() => this.stopping.delete(stopped));
      this.stopping.add(stopped);
    });
    void this.sync(id);
  }

  async list(livestreamId: string): Promise<RestreamTarget[]> {
    return (await this.o.repository.list(livestreamId)).map((r) => this.view(r));
  }

  async get(livestreamId: string, id: string): Promise<RestreamTarget | undefined> {
    const record = await this.o.repository.get(livestreamId, id);
    return record && this.view(record);
  }

  /** Throws TooManyRestreamsError at the limit. A live broadcast starts pushing an enabled target at once. */
  async create(livestreamId: string, input: Pick<RestreamRecord, 'name' | 'url' | 'streamKey' | 'enabled'>): Promise<RestreamTarget> {
    const record: RestreamRecord = { id: newRestreamId(), livestreamId, ...input, createdAt: new Date().toISOString() };
    if (!(await this.o.repository.create(record, RESTREAM_TARGETS_MAX))) throw new TooManyRestreamsError();
    this.log.info('restream target created', { livestream: livestreamId, id: record.id, enabled: record.enabled });
    await this.sync(livestreamId);
    return this.view(record);
  }

  async update(livestreamId: string, id: string, changes: RestreamChanges): Promise<RestreamTarget | undefined> {
    const record = await this.o.repository.update(livestreamId, id, changes);
    if (!record) return undefined;
    this.log.info('restream target updated', { livestream: livestreamId, id, fields: Object.keys(changes) });
    await this.sync(livestreamId, id);
    return this.view(record);
  }

  async delete(livestreamId: string, id: string): Promise<boolean> {
    if (!(await this.o.repository.delete(livestreamId, id))) return false;
    this.log.info('restream target deleted', { livestream: livestreamId, id });
    await this.sync(livestreamId);
    return true;
  }

  /** Every target pushed now, for /metrics. */
  pushes(): MeteredPush[] {
    return [...this.broadcasts].flatMap(([livestreamId, b]) => b.running().map(({ target, push }) => ({ livestreamId, restreamId: target.id, push })));
  }

  /** PIDs of the pushes' FFmpeg processes (benchmarks and tests measure them). */
  pids(): number[] {
    return [...this.broadcasts.values()].flatMap((b) => b.running().flatMap(({ push }) => push.pid ?? []));
  }

  /** Stops every push (shutdown, after the broadcasts have ended). */
  async close(): Promise<void> {
    const all = [...this.broadcasts.values()];
    this.broadcasts.clear();
    await Promise.all([...all.map((b) => b.stop()), ...this.stopping]);
  }

  private view(record: RestreamRecord): RestreamTarget {
    return restreamView(record, this.broadcasts.get(record.livestreamId)?.state(record.id));
  }

  /** Applies the stored targets to the livestream's broadcast, if it is live here; `retry`: a target its owner just changed. */
  private async sync(livestreamId: string, retry?: string): Promise<void> {
    const pushes = this.broadcasts.get(livestreamId);
    if (!pushes) return;
    try {
      await pushes.apply(await this.o.repository.list(livestreamId), retry);
    } catch (err) {
      this.log.error('the restream targets could not be read; the broadcast goes on without them', { livestream: livestreamId, err });
    }
  }
}
