import type { types } from 'mediasoup';
import type { RealtimeMedia } from '../../sfu/realtime-media.js';
import type { WorkerPool } from '../../sfu/worker-pool.js';
import type { MediaKind } from '../../webrtc-http/sdp-offer.js';
import type { PlayTrack } from './play-offer.js';

/** A router that carries a broadcast with given payload types, its producers piped in from the broadcast's router. */
export interface ViewerRoute {
  readonly router: types.Router;
  readonly producers: ReadonlyMap<MediaKind, types.Producer>;
}

export interface HeldRoute {
  route: ViewerRoute;
  /** The viewer is done with it; the last one closes the router. Idempotent. */
  release(): void;
}

interface Entry {
  route: Promise<ViewerRoute>;
  viewers: number;
}

/**
 * Routers for real-time viewers. A WHEP viewer's offer fixes the payload types Axon must send with, and a
 * mediasoup consumer sends with its router's payload types: so viewers get a router whose codecs carry
 * their payload types, into which the broadcast's producers are piped (pipeToRouter; on the least-loaded
 * worker, which also spreads viewers over the workers). Viewers with the same payload types (every
 * browser of one engine) share it; the last to leave closes it, and so does the end of the broadcast.
 */
export class ViewerRouters {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly pool: WorkerPool) {}

  async acquire(media: RealtimeMedia, tracks: PlayTrack[]): Promise<HeldRoute> {
    // Audio first: its payload type is then taken before the router picks one for the video's RTX.
    const ordered = [...tracks].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'audio' ? -1 : 1));
    const key = `${media.router.id} ${ordered.map((t) => `${t.kind}:${t.codec.payloadType}`).join(' ')}`;
    for (;;) {
      let entry = this.entries.get(key);
      if (!entry) {
        const created: Entry = { route: this.create(media, ordered), viewers: 0 };
        entry = created;
        this.entries.set(key, created);
        created.route.then(
          (route) => route.router.observer.once('close', () => this.forget(key, created)),
          () => this.forget(key, created),
        );
      }
      const route = await entry.route;
      // The last viewer may have closed it while this one waited.
      if (route.router.closed) continue;
      entry.viewers++;
      const held = entry;
      let released = false;
      return {
        route,
        release: () => {
          if (released) return;
          released = true;
          held.viewers--;
          if (held.viewers === 0) {
            this.forget(key, held);
            route.router.close();
          }
        },
      };
    }
  }

  private forget(key: string, entry: Entry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }

  private async create(media: RealtimeMedia, tracks: PlayTrack[]): Promise<ViewerRoute> {
    const codecs = tracks.map((t): types.RouterRtpCodecCapability => {
      const source = t.producer.consumableRtpParameters.codecs[0]!;
      return {
        kind: t.kind,
        mimeType: source.mimeType as types.RouterRtpCodecCapability['mimeType'],
        clockRate: source.clockRate,
        ...(source.channels !== undefined && { channels: source.channels }),
        parameters: source.parameters,
        preferredPayloadType: t.codec.payloadType,
      };
    });
    const router = await this.pool.createRouter(codecs);
    try {
      const producers = new Map<MediaKind, types.Producer>();
      for (const t of tracks) {
        const { pipeProducer } = await media.router.pipeToRouter({ producerId: t.producer.id, router, keepId: false });
        producers.set(t.kind, pipeProducer!);
      }
      // The broadcast is over: so is every viewer's route of it. A route closed before (its last viewer gone)
      // takes its listener along, or each route a broadcast ever had would stay reachable until it ends.
      const closeWithBroadcast = () => router.close();
      media.router.observer.once('close', closeWithBroadcast);
      router.observer.once('close', () => media.router.observer.off('close', closeWithBroadcast));
      return { router, producers };
    } catch (err) {
      router.close();
      throw err;
    }
  }
}
