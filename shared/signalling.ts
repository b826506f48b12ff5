/**
 * The studio's publish signalling over Socket.IO (namespace STUDIO_NAMESPACE). Every request is an
 * event with an acknowledgement callback; the server validates each payload with these schemas.
 *
 *   publish:join       JoinRequest       -> Ack<JoinResponse>        key checked before anything is created
 *   publish:transport  {}                -> Ack<TransportResponse>   one send WebRtcTransport
 *   publish:connect    ConnectRequest    -> Ack<{}>
 *   publish:produce    ProduceRequest    -> Ack<{ id: string }>
 *   publish:start      StartRequest      -> Ack<{}>                  all tracks produced: transcoding starts
 *   publish:end        {}                -> Ack<{}>
 * Server -> client:
 *   publish:state      PublishState      starting | live | ended (with reason)
 */
import { z } from 'zod';
import { MAX_SOURCE_HEIGHT, MAX_SOURCE_WIDTH } from './constants.js';
import { livestreamIdSchema } from './livestream.js';
import type { PublishRefusalCode } from './publish-refusal.js';

const jsonObject = z.record(z.string(), z.unknown());

export const joinRequestSchema = z
  .object({
    livestreamId: livestreamIdSchema,
    streamKey: z.string().min(1).max(256),
  })
  .strict();
export type JoinRequest = z.infer<typeof joinRequestSchema>;

export interface JoinResponse {
  /** mediasoup router RTP capabilities, handed to mediasoup-client's Device.load(). */
  routerRtpCapabilities: Record<string, unknown>;
}

export interface TransportResponse {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
}

export const connectRequestSchema = z.object({ dtlsParameters: jsonObject }).strict();
export type ConnectRequest = z.infer<typeof connectRequestSchema>;

export const produceRequestSchema = z
  .object({
    kind: z.enum(['audio', 'video']),
    rtpParameters: jsonObject,
  })
  .strict();
export type ProduceRequest = z.infer<typeof produceRequestSchema>;

export const startRequestSchema = z
  .object({
    /** Capture size of the camera track, which sizes the ladder. */
    video: z
      .object({
        width: z.number().int().min(16).max(MAX_SOURCE_WIDTH),
        height: z.number().int().min(16).max(MAX_SOURCE_HEIGHT),
        frameRate: z.number().min(1).max(120).optional(),
      })
      .strict(),
  })
  .strict();
export type StartRequest = z.infer<typeof startRequestSchema>;

export const emptyRequestSchema = z.object({}).strict();

/** A refusal says why twice: in words for the streamer, and as a code for the client. */
/** `nodeUrl`: with code `moved`, the base URL of the node to publish to instead. */
export type Ack<T> = ({ ok: true } & T) | { ok: false; error: string; code: PublishRefusalCode; nodeUrl?: string };

export type PublishState =
  | { state: 'starting' }
  | { state: 'live' }
  | { state: 'ended'; reason: string };

export const PublishEvents = {
  join: 'publish:join',
  transport: 'publish:transport',
  connect: 'publish:connect',
  produce: 'publish:produce',
  start: 'publish:start',
  end: 'publish:end',
  state: 'publish:state',
} as const;
