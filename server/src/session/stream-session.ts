import { EventEmitter } from 'node:events';
import type { IngestSource } from './ingest.js';

export type SessionState = 'starting' | 'live' | 'ended';

interface StreamSessionEvents {
  state: [SessionState];
  ended: [reason: string];
}

export type StreamSessionFactory = (livestreamId: string, ingest: IngestSource) => StreamSession;

/** One broadcast from start to end: its ingest, its transcoder, its outputs. (Implementation in progress.) */
export class StreamSession extends EventEmitter<StreamSessionEvents> {
  private currentState: SessionState = 'starting';
  constructor(
    readonly livestreamId: string,
    readonly ingest: IngestSource,
  ) {
    super();
  }
  get state(): SessionState {
    return this.currentState;
  }
  async start(): Promise<void> {}
  async stop(reason: string): Promise<void> {
    if (this.currentState === 'ended') return;
    this.currentState = 'ended';
    await this.ingest.close();
    this.emit('state', 'ended');
    this.emit('ended', reason);
  }
}
