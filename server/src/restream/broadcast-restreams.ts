import type { RestreamFailure, RestreamStatus, RestreamTarget } from '../../../shared/restream.js';
import type { Logger } from '../log.js';
import { choosePushSource, type PushSource, type RestreamableBroadcast } from './push-source.js';
import type { RestreamRecord } from './restream-repository.js';
import { type PushBackoff, type PushState, TargetPush } from './target-push.js';

export interface BroadcastRestreamsOptions {
  ffmpegPath: string;
  maxHeight: number;
  caFile: string | undefined;
  log: Logger;
  onStatus(target: RestreamRecord, status: RestreamStatus, reason: RestreamFailure | null): void;
  backoff?: PushBackoff | undefined;
}

interface RunningPush {
  target: RestreamRecord;
  push: TargetPush;
}

/**
 * The restream supervisor of one broadcast: one TargetPush per enabled target, all reading one source
 * chosen at the start. Targets added, changed, disabled or deleted during the broadcast are applied at
 * once; one push's failure touches neither the broadcast nor the other pushes.
 */
export class BroadcastRestreams {
  private readonly source: PushSource;
  private readonly pushes = new Map<string, RunningPush>();
  private applying: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    broadcast: RestreamableBroadcast,
    private readonly o: BroadcastRestreamsOptions,
  ) {
    this.source = choosePushSource(broadcast, o.maxHeight, o.log);
  }

  get sourceKind(): RestreamTarget['source'] {
    return this.source.kind;
  }

  /**
   * Makes the pushes match the targets: starts the enabled ones not pushed yet, stops the others, restarts
   * one whose URL or key changed, and `retry` if it had failed (its owner changed it).
   */
  apply(targets: readonly RestreamRecord[], retry?: string): Promise<void> {
    this.applying = this.applying.then(() => this.reconcile(targets, retry));
    return this.applying;
  }

  state(targetId: string): (PushState & { source: RestreamTarget['source'] }) | undefined {
    const running = this.pushes.get(targetId);
    return running && { ...running.push.view, source: this.source.kind };
  }

  running(): ReadonlyArray<Readonly<RunningPush>> {
    return [...this.pushes.values()];
  }

  /** The broadcast ended: every push stops (FFmpeg disconnects cleanly) and none starts again. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.source.close();
    await this.applying;
    await Promise.all([...this.pushes.values()].map(({ push }) => push.stop()));
    this.pushes.clear();
  }

  private async reconcile(targets: readonly RestreamRecord[], retry: string | undefined): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map(targets.filter((t) => t.enabled).map((t) => [t.id, t]));
    const stopping: Array<Promise<void>> = [];
    for (const [id, running] of this.pushes) {
      const target = wanted.get(id);
      const retried = id === retry && running.push.view.status === 'failed';
      if (target !== undefined && target.url === running.target.url && target.streamKey === running.target.streamKey && !retried) {
        running.target = target;
        continue;
      }
      this.pushes.delete(id);
      stopping.push(running.push.stop().then(() => this.o.onStatus(running.target, 'idle', null)));
    }
    await Promise.all(stopping);
    if (this.stopped) return;
    for (const target of wanted.values()) if (!this.pushes.has(target.id)) this.startPush(target);
  }

  private startPush(target: RestreamRecord): void {
    // The target as last applied: a renamed target keeps its push, and its status reports carry the new name.
    const current = { target };
    const push = new TargetPush({
      url: target.url,
      streamKey: target.streamKey,
      openInput: () => this.source.open(),
      ffmpegPath: this.o.ffmpegPath,
      caFile: this.o.caFile,
      log: this.o.log.child(target.id),
      onStatus: (status, reason) => this.o.onStatus(current.target, status, reason),
      backoff: this.o.backoff,
    });
    this.pushes.set(target.id, Object.assign(current, { push }));
    this.o.log.info('restream starting', { target: target.id, source: this.source.kind });
    push.start();
  }
}
