import { EventEmitter } from 'node:events';
import type { LivestreamStatus } from '../../../shared/livestream.js';
import { hostStatus, type BroadcastClaims } from '../cluster/broadcast-claims.js';
import type { IngestSource } from './ingest.js';
import { PublishRefusedError } from './publish-refused.js';
import type { LiveSession, StreamSessionFactory } from './stream-session.js';

export class AlreadyLiveError extends PublishRefusedError {
  constructor() {
    super('already_live', 'This livestream already has a publisher');
  }
}

/** Admission control: one more broadcast would slow every running one below real time. */
export class AtCapacityError extends PublishRefusedError {
  /** When a publisher may try again: broadcasts end on their own schedule, so this is a guess worth waiting. */
  readonly retryAfterS = 30;

  constructor(maxBroadcasts: number) {
    super('at_capacity', `This server is already running its ${maxBroadcasts} broadcasts at once, its limit: try again in a few minutes`);
  }
}

/** A publisher's hold was revoked before its broadcast started; the message (the reason) is meant for the publisher. */
export class PublishRevokedError extends PublishRefusedError {
  constructor(reason: string) {
    super('kicked', reason);
  }
}

/**
 * A publisher's hold on a livestream from the moment its key is accepted until its broadcast ends.
 * Taken before any transport is created, so a second publisher is refused up front.
 */
export interface Reservation {
  readonly livestreamId: string;
  /**
   * Starts the broadcast from this ingest. The reservation is released when the session ends. Rejects with
   * PublishRevokedError when the livestream was ended meanwhile (deleted, key rotated, disabled).
   */
  start(ingest: IngestSource): Promise<LiveSession>;
  /** Gives the livestream back (negotiation failed or the publisher left before starting). Idempotent. */
  release(): void;
}

interface RegistryEvents {
  started: [LiveSession];
}

/** Why a broadcast ends when its node's claim on it went elsewhere. */
export const CLAIM_LOST_REASON = 'this server lost its hold on the livestream (another server took it over)';

/** The live sessions of this process, one per livestream at most (across processes too, given claims). */
export class SessionRegistry extends EventEmitter<RegistryEvents> {
  /** Livestreams held by a publisher, with how to revoke a hold that has not started yet. */
  private readonly reserved = new Map<string, (reason: string) => void>();
  private readonly sessions = new Map<string, LiveSession>();

  constructor(
    private readonly createSession: StreamSessionFactory,
    private readonly claims?: BroadcastClaims,
    /** Broadcasts (and publishers still negotiating) this process takes at once; more are refused before any media. */
    readonly maxBroadcasts = Infinity,
  ) {
    super();
    claims?.onLost((livestreamId) => void this.end(livestreamId, CLAIM_LOST_REASON));
  }

  /** Broadcasts this process holds now, negotiating publishers included. */
  get size(): number {
    return this.reserved.size;
  }

  /** Held here before the claim is asked for, so that a second local publisher is refused without waiting. */
  async reserve(livestreamId: string): Promise<Reservation> {
    if (this.reserved.has(livestreamId)) throw new AlreadyLiveError();
    if (this.reserved.size >= this.maxBroadcasts) throw new AtCapacityError(this.maxBroadcasts);
    let released = false;
    let creating = false;
    let started = false;
    let revokedBecause: string | null = null;
    const release = (claimed = true) => {
      if (released) return;
      released = true;
      this.reserved.delete(livestreamId);
      if (claimed) void this.claims?.release(livestreamId);
    };
    this.reserved.set(livestreamId, (reason) => {
      if (started) return;
      revokedBecause = reason;
      release();
    });
    if (this.claims) {
      const claimed = await this.claims.claim(livestreamId).catch((err: unknown) => {
        release(false);
        throw err;
      });
      if (!claimed) {
        release(false);
        throw new AlreadyLiveError();
      }
      // Ended while the claim was on its way: the release above may have come before it.
      if (revokedBecause !== null) {
        void this.claims.release(livestreamId);
        throw new PublishRevokedError(revokedBecause);
      }
    }
    return {
      livestreamId,
      release: () => {
        if (!started) release();
      },
      start: async (ingest) => {
        if (revokedBecause !== null) throw new PublishRevokedError(revokedBecause);
        if (released || creating) throw new Error('reservation is no longer valid');
        creating = true;
        let session: LiveSession;
        try {
          // The factory reads the livestream's settings from the store; the hold may be revoked meanwhile.
          session = await this.createSession(livestreamId, ingest);
        } catch (err) {
          release();
          throw err;
        }
        if (revokedBecause !== null) throw new PublishRevokedError(revokedBecause);
        if (released) throw new Error('reservation is no longer valid');
        started = true;
        this.sessions.set(livestreamId, session);
        const onState = (state: LiveSession['state']) => {
          if (state === 'live') void this.claims?.markPlayable(livestreamId);
        };
        session.on('state', onState);
        session.once('ended', () => {
          session.off('state', onState);
          this.sessions.delete(livestreamId);
          release();
        });
        this.emit('started', session);
        void session.start();
        return session;
      },
    };
  }

  /**
   * Ends whatever holds the livestream: its broadcast, or a publisher still negotiating (whose start()
   * then fails with `reason`). Used when the livestream is deleted or disabled and when its key is rotated.
   */
  async end(livestreamId: string, reason: string): Promise<void> {
    const session = this.sessions.get(livestreamId);
    if (session) await session.stop(reason);
    else this.reserved.get(livestreamId)?.(reason);
  }

  /**
   * The livestream's public status, decided here only: starting from the moment a publisher holds it (key
   * accepted, negotiating, FFmpeg starting) until its session says it is playable, then live.
   */
  async status(livestreamId: string): Promise<LivestreamStatus> {
    if (!this.reserved.has(livestreamId)) return hostStatus(await this.claims?.hostOf(livestreamId)) ?? 'offline';
    const state = this.sessions.get(livestreamId)?.state ?? 'starting';
    return state === 'starting' ? 'starting' : 'live';
  }

  get(livestreamId: string): LiveSession | undefined {
    return this.sessions.get(livestreamId);
  }

  /** Held by a publisher of this process (starting or live). */
  isLive(livestreamId: string): boolean {
    return this.reserved.has(livestreamId);
  }

  /** Held here or by another node. */
  async isLiveAnywhere(livestreamId: string): Promise<boolean> {
    return (await this.status(livestreamId)) !== 'offline';
  }

  all(): LiveSession[] {
    return [...this.sessions.values()];
  }

  /** Ends every broadcast (shutdown). */
  async stopAll(reason: string): Promise<void> {
    await Promise.all(this.all().map((s) => s.stop(reason)));
  }
}
