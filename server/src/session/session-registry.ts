import { EventEmitter } from 'node:events';
import type { IngestSource } from './ingest.js';
import type { LiveSession, StreamSessionFactory } from './stream-session.js';

export class AlreadyLiveError extends Error {
  constructor() {
    super('This livestream already has a publisher');
  }
}

/**
 * A publisher's hold on a livestream from the moment its key is accepted until its broadcast ends.
 * Taken before any transport is created, so a second publisher is refused up front.
 */
export interface Reservation {
  readonly livestreamId: string;
  /** Starts the broadcast from this ingest. The reservation is released when the session ends. */
  start(ingest: IngestSource): LiveSession;
  /** Gives the livestream back (negotiation failed or the publisher left before starting). Idempotent. */
  release(): void;
}

interface RegistryEvents {
  started: [LiveSession];
  ended: [LiveSession];
}

/** The live sessions of this process, one per livestream at most. */
export class SessionRegistry extends EventEmitter<RegistryEvents> {
  private readonly reserved = new Set<string>();
  private readonly sessions = new Map<string, LiveSession>();

  constructor(private readonly createSession: StreamSessionFactory) {
    super();
  }

  reserve(livestreamId: string): Reservation {
    if (this.reserved.has(livestreamId)) throw new AlreadyLiveError();
    this.reserved.add(livestreamId);
    let released = false;
    let started = false;
    const release = () => {
      if (released) return;
      released = true;
      this.reserved.delete(livestreamId);
    };
    return {
      livestreamId,
      release: () => {
        if (!started) release();
      },
      start: (ingest) => {
        if (released || started) throw new Error('reservation is no longer valid');
        started = true;
        const session = this.createSession(livestreamId, ingest);
        this.sessions.set(livestreamId, session);
        session.once('ended', () => {
          this.sessions.delete(livestreamId);
          release();
          this.emit('ended', session);
        });
        this.emit('started', session);
        void session.start();
        return session;
      },
    };
  }

  get(livestreamId: string): LiveSession | undefined {
    return this.sessions.get(livestreamId);
  }

  isLive(livestreamId: string): boolean {
    return this.reserved.has(livestreamId);
  }

  all(): LiveSession[] {
    return [...this.sessions.values()];
  }

  /** Ends every broadcast (shutdown). */
  async stopAll(reason: string): Promise<void> {
    await Promise.all(this.all().map((s) => s.stop(reason)));
  }
}
