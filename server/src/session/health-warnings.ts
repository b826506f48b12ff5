import type { HealthWarning, IngestProtocol } from '../../../shared/ingest-health.js';

/** Players start, and switch renditions after a restart, only at a keyframe: OBS and Axon's ladder use 2 s. */
export const KEYFRAME_INTERVAL_MAX_S = 2;
/** Rounding of stream timestamps (RTMP counts milliseconds) must not make a 2 s interval count as longer. */
const KEYFRAME_TOLERANCE_S = 0.1;
/** Below this FFmpeg loses ground on the publisher; a speed that is only a hair below 1 is measuring noise. */
export const REAL_TIME_MIN_SPEED = 0.9;
/** Samples in a row below real time before it counts: FFmpeg is briefly slower while it starts or restarts. */
export const SLOW_SAMPLES = 3;

export interface WarningInputs {
  protocol: IngestProtocol;
  keyframeIntervalS: number | null;
  /** Whether the meter has seen video yet: before that, missing audio means nothing. */
  mediaSeen: boolean;
  audioCodec: string | null;
  /** FFmpeg's speed at the latest samples, oldest first. */
  recentSpeeds: readonly number[];
}

/** What is wrong with a broadcast's ingest, in words its owner can act on. */
export function healthWarnings(i: WarningInputs): HealthWarning[] {
  const warnings: HealthWarning[] = [];
  // The studio's browser sends a keyframe when asked and has no interval to set.
  if (i.protocol !== 'webrtc' && i.keyframeIntervalS !== null && i.keyframeIntervalS > KEYFRAME_INTERVAL_MAX_S + KEYFRAME_TOLERANCE_S) {
    warnings.push({
      code: 'keyframe_interval',
      message:
        `Keyframes arrive every ${i.keyframeIntervalS.toFixed(1)} s: set the encoder's keyframe interval to ${KEYFRAME_INTERVAL_MAX_S} s ` +
        '(OBS: Output, Keyframe Interval). Longer gaps make viewers wait to start.',
    });
  }
  const recent = i.recentSpeeds.slice(-SLOW_SAMPLES);
  if (recent.length === SLOW_SAMPLES && recent.every((s) => s < REAL_TIME_MIN_SPEED)) {
    warnings.push({
      code: 'below_real_time',
      message:
        `The ladder is encoded at ${recent.at(-1)!.toFixed(2)}x real time, so the stream falls behind: ` +
        'use fewer or smaller rungs (AXON_LADDER), a faster x264 preset (AXON_X264_PRESET), or more CPU.',
    });
  }
  if (i.mediaSeen && i.audioCodec === null) {
    warnings.push({ code: 'no_audio', message: 'The source has no audio: viewers hear silence. Check the encoder audio settings.' });
  }
  return warnings;
}
