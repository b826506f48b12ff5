import type { PublishRefusalCode } from '../../../shared/publish-refusal.js';
import type { Emitter } from '../emitter.js';

export type VideoCodecChoice = 'vp8' | 'h264';

export interface PublishRequest {
  livestreamId: string;
  streamKey: string;
  video: MediaStreamTrack;
  /** Null publishes without sound (the server fills in silence). */
  audio: MediaStreamTrack | null;
  videoCodec: VideoCodecChoice;
  /** H.264 only: send three simulcast sizes, which the server packages as rungs without re-encoding. */
  simulcast?: boolean;
}

/**
 * connecting: signalling and media negotiation; starting: media flows, the server prepares the stream;
 * live: viewers can watch; ended: this publisher is done (ended by either side or failed).
 */
export type PublisherState = 'idle' | 'connecting' | 'starting' | 'live' | 'ended';

export type PublishErrorKind =
  /** The server refused (wrong key, no such livestream, already live, bad request): its own words, and its code. */
  | 'rejected'
  | 'unreachable'
  | 'connection_lost'
  | 'unsupported'
  /** end() was called while start() was still negotiating. */
  | 'cancelled';

export class PublishError extends Error {
  constructor(
    readonly kind: PublishErrorKind,
    message: string,
    /** Why the server refused, when it said (kind 'rejected'). */
    readonly code?: PublishRefusalCode,
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

export interface PublisherEvents {
  state: [PublisherState];
  /** A failure after start() resolved (start() itself rejects with failures before that). */
  failed: [PublishError];
  /** The server ended the broadcast, with its reason. */
  endedByServer: [reason: string];
}

/**
 * Sends one broadcast from the browser, one instance per broadcast, whatever the protocol: mediasoup-client
 * over the studio's signalling (MediasoupPublisher) or WHIP (WhipPublisher), both on PublisherBase's state machine.
 */
export interface Publisher {
  readonly events: Emitter<PublisherEvents>;
  readonly state: PublisherState;
  /** Resolves once media flows and the server was told to start; rejects with a PublishError. */
  start(request: PublishRequest): Promise<void>;
  /** Swaps the camera or microphone without renegotiating. */
  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack): Promise<void>;
  /** The senders' raw statistics (outbound-rtp, remote-inbound-rtp, candidate-pair, ...). */
  getStats(): Promise<RTCStats[]>;
  /** Ends the broadcast and releases everything. Idempotent. */
  end(): Promise<void>;
}
