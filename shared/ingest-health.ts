import { z } from 'zod';

/** How a broadcast reaches Axon. */
export const INGEST_PROTOCOLS = ['webrtc', 'whip', 'rtmp'] as const;
export type IngestProtocol = (typeof INGEST_PROTOCOLS)[number];

/** What a health warning is about, for programs (webhooks); its message says it for people. */
export const HEALTH_WARNING_CODES = ['keyframe_interval', 'below_real_time', 'no_audio'] as const;
export type HealthWarningCode = (typeof HEALTH_WARNING_CODES)[number];

export interface HealthWarning {
  code: HealthWarningCode;
  message: string;
}

/** One point of the health chart. */
export const ingestHealthPointSchema = z.object({
  at: z.iso.datetime(),
  bitrateKbps: z.number().min(0),
  frameRate: z.number().min(0),
});
export type IngestHealthPoint = z.infer<typeof ingestHealthPointSchema>;

const figure = (what: string) => z.number().min(0).nullable().describe(`${what}; null until measured`);

/**
 * A live broadcast's ingest as measured from the media that arrives (never from what the encoder claims),
 * with how FFmpeg keeps up. Part of the owner's view of a livestream while it is live.
 */
export const ingestHealthSchema = z.object({
  protocol: z.enum(INGEST_PROTOCOLS),
  videoCodec: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  frameRate: figure('Frames per second of the source'),
  bitrateKbps: figure('Kilobits per second of media in, video and audio'),
  keyframeIntervalS: figure('Seconds between the source keyframes'),
  audioCodec: z.string().nullable().describe('null: the source has no audio'),
  ffmpegSpeed: figure('Transcoding speed relative to real time'),
  droppedFrames: z.number().int().min(0).describe('Frames FFmpeg dropped over the broadcast'),
  warnings: z.array(z.string()).describe('Problems worth fixing at the encoder or server, in plain words'),
  topRung: z
    .object({
      mode: z
        .enum(['copy', 'encode', 'layers'])
        .describe("copy: the top rung is the source's own H.264, repackaged; encode: x264 encodes it; layers: every rung is one of the publisher's H.264 simulcast layers, repackaged"),
      reason: z.string().describe('Why, in plain words (an information: encoding is the normal case)'),
    })
    .optional()
    .describe('The top rung of the ladder, decided from the source as measured (AXON_TOP_RUNG, the livestream topRung)'),
  history: z.array(ingestHealthPointSchema).describe('Every 2 s over the last minute, oldest first'),
});
export type IngestHealth = z.infer<typeof ingestHealthSchema>;
