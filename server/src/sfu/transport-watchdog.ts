import type { types } from 'mediasoup';
import { WEBRTC_CONNECT_TIMEOUT_MS } from '../../../shared/constants.js';
import { Ending } from '../ending.js';

/**
 * A client that has its transport (a studio's, or a WHIP or WHEP answer) must complete ICE and DTLS within
 * this time; the clients wait as long before they give up.
 */
export const CONNECT_TIMEOUT_MS = WEBRTC_CONNECT_TIMEOUT_MS;
/** How long ICE may stay disconnected: a network change the client may recover from. */
export const ICE_DISCONNECTED_GRACE_MS = 5000;

/** Who is at the other end, as the reasons name them. */
export type TransportParty = 'publisher' | 'viewer';

export type TransportHealth =
  | { kind: 'ok' }
  /** Lost unless ICE comes back within ICE_DISCONNECTED_GRACE_MS. */
  | { kind: 'at-risk'; reason: string }
  | { kind: 'lost'; reason: string };

/**
 * Whether a WebRTC transport's connection is still usable, from its DTLS and ICE states. DTLS failing or
 * closed (the client sent close_notify) and ICE closed are final; ICE disconnected (consent checks
 * stopped, e.g. a network change) may recover.
 */
export function judgeTransport(party: TransportParty, dtls: types.DtlsState, ice: types.IceState): TransportHealth {
  if (dtls === 'failed' || dtls === 'closed') return { kind: 'lost', reason: `the ${party} connection ${dtls} (DTLS)` };
  if (ice === 'closed') return { kind: 'lost', reason: `the ${party} connection closed (ICE)` };
  if (ice === 'disconnected') return { kind: 'at-risk', reason: `the ${party} connection was lost (ICE)` };
  return { kind: 'ok' };
}

/**
 * Watches one transport from its creation to its end: it must connect within the connect timeout, and
 * is lost when judgeTransport says so, or when ICE stays disconnected past the grace period. The
 * transport's own closing is not a loss: whoever closed it knows why.
 */
export class TransportWatchdog {
  /** Why the connection was lost, the first time it is; pending while it is usable. */
  readonly lost: Promise<string>;
  /** Resolves once DTLS is connected; rejects when the connection is lost, or the transport closes, first. */
  readonly connected: Promise<void>;
  private readonly loss = new Ending();
  private settleConnected!: (error?: Error) => void;
  private connectTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly transport: types.WebRtcTransport,
    private readonly party: TransportParty,
    connectTimeoutMs = CONNECT_TIMEOUT_MS,
  ) {
    this.lost = this.loss.promise;
    this.connected = new Promise<void>((resolve, reject) => {
      this.settleConnected = (error) => (error ? reject(error) : resolve());
    });
    // Whoever does not wait for the connection hears of its loss through `lost`.
    this.connected.catch(() => undefined);
    this.connectTimer = setTimeout(() => this.lose(`the ${party} did not connect within ${connectTimeoutMs / 1000} s`), connectTimeoutMs);
    transport.on('dtlsstatechange', this.check);
    transport.on('icestatechange', this.check);
    transport.observer.once('close', this.onClose);
    // The client may have connected, or dropped, before the watch began.
    this.check();
  }

  /** Stops watching (the transport is being closed). Idempotent. */
  stop(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.graceTimer);
    this.transport.off('dtlsstatechange', this.check);
    this.transport.off('icestatechange', this.check);
    this.transport.observer.off('close', this.onClose);
    this.settleConnected(new Error('the transport is no longer watched'));
  }

  private readonly check = () => {
    const health = judgeTransport(this.party, this.transport.dtlsState, this.transport.iceState);
    if (health.kind === 'lost') return this.lose(health.reason);
    if (health.kind === 'at-risk') {
      this.graceTimer ??= setTimeout(() => this.lose(health.reason), ICE_DISCONNECTED_GRACE_MS);
    } else {
      clearTimeout(this.graceTimer);
      this.graceTimer = undefined;
    }
    if (this.transport.dtlsState === 'connected') {
      clearTimeout(this.connectTimer);
      this.settleConnected();
    }
  };

  private readonly onClose = () => {
    this.settleConnected(new Error('the transport closed before it connected'));
    this.stop();
  };

  private lose(reason: string): void {
    this.settleConnected(new Error(reason));
    this.stop();
    this.loss.end(reason);
  }
}
