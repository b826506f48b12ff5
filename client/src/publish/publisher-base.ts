import { Emitter } from '../emitter.js';
import type { PublishError, Publisher, PublisherEvents, PublisherState, PublishRequest } from './publisher.js';
import { startFailure } from './publish-failure.js';

/**
 * The state machine every publisher shares, whatever protocol carries the media: idle → connecting →
 * starting → live → ended, start() once, end() idempotent, a failure or the server's end reported once and
 * followed by the release of everything. A protocol supplies the negotiation, the goodbye and the release.
 */
export abstract class PublisherBase implements Publisher {
  readonly events = new Emitter<PublisherEvents>();
  protected currentState: PublisherState = 'idle';
  /** start() resolved: from now on a failure or the server's end is news for the studio, not start()'s rejection. */
  protected started = false;
  /** end() was called: what breaks from now on is its consequence, not news. */
  protected ending = false;

  get state(): PublisherState {
    return this.currentState;
  }

  async start(request: PublishRequest): Promise<void> {
    if (this.currentState !== 'idle') throw new Error('a publisher starts once');
    this.setState('connecting');
    try {
      await this.negotiate(request);
    } catch (error) {
      const failure = startFailure(error, this.ending);
      this.close();
      throw failure;
    }
    this.started = true;
    // The server may have said 'starting' or 'live' already.
    if (this.state === 'connecting') this.setState('starting');
  }

  async getStats(): Promise<RTCStats[]> {
    const reports = await this.statsReports();
    return reports.flatMap((report) => [...report.values()] as RTCStats[]);
  }

  async end(): Promise<void> {
    if (this.currentState === 'ended' || this.ending) return;
    this.ending = true;
    await this.sayGoodbye();
    this.close();
  }

  abstract replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack): Promise<void>;

  /**
   * Signalling and media negotiation, until media flows and the server was told to start; then watches the
   * connection (a failure goes to fail()) and the server's news (its end goes to endedByServer()).
   */
  protected abstract negotiate(request: PublishRequest): Promise<void>;

  /** The statistics reports of everything sending media. */
  protected abstract statsReports(): Promise<RTCStatsReport[]>;

  /**
   * Tells the server the broadcast ends, best effort (it also ends it when the connection goes); resolves
   * when the connection may be released.
   */
  protected abstract sayGoodbye(): Promise<void>;

  /** Releases the protocol's resources; called once or more, so it must be idempotent. */
  protected abstract release(): void;

  /** A failure from outside start()'s own steps: the connection went. */
  protected fail(error: PublishError): void {
    if (this.currentState === 'ended' || this.ending || !this.started) return;
    this.events.emit('failed', error);
    this.close();
  }

  /** The server ended the broadcast, with its reason. */
  protected endedByServer(reason: string): void {
    if (this.currentState === 'ended') return;
    if (this.started && !this.ending) this.events.emit('endedByServer', reason);
    this.close();
  }

  protected close(): void {
    this.release();
    this.setState('ended');
  }

  protected setState(state: PublisherState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.events.emit('state', state);
  }
}
