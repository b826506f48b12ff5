import type { Registry } from 'prom-client';
import type { LiveSession } from '../session/stream-session.js';
import { registerPerItem, type SeriesDef } from './prometheus.js';

export type MeteredSession = Pick<LiveSession, 'livestreamId' | 'transcodeProgress' | 'health'>;

/**
 * Each live broadcast's ingest and FFmpeg figures, labelled by livestream id: the public id of its URLs,
 * never its stream key. A series appears once its figure is measured (FFmpeg's once it first reported)
 * and is gone from the first scrape after the broadcast ends.
 */
export function registerBroadcastMetrics(registry: Registry, sessions: () => readonly MeteredSession[]): void {
  const perBroadcast = (def: SeriesDef, read: (s: MeteredSession) => number | null | undefined) =>
    registerPerItem(registry, def, 'livestream', sessions, (s) => {
      const value = read(s);
      return value === null || value === undefined ? undefined : [s.livestreamId, value];
    });

  perBroadcast({ name: 'axon_ingest_bits_per_second', help: 'Media bits per second arriving from the publisher (video and audio).' }, (s) =>
    s.health.bitrateKbps === null ? null : s.health.bitrateKbps * 1000,
  );
  perBroadcast({ name: 'axon_ingest_frames_per_second', help: 'Video frames per second arriving from the publisher.' }, (s) => s.health.frameRate);
  perBroadcast(
    { name: 'axon_ingest_keyframe_interval_seconds', help: 'Seconds between the keyframes the publisher sends (2 or less is right).' },
    (s) => s.health.keyframeIntervalS,
  );
  perBroadcast(
    { name: 'axon_ffmpeg_speed', help: 'Encoding speed relative to real time (below 1 the broadcast falls behind).' },
    (s) => s.transcodeProgress?.speed,
  );
  perBroadcast({ name: 'axon_ffmpeg_fps', help: 'Frames FFmpeg encodes per second.' }, (s) => s.transcodeProgress?.fps);
  perBroadcast(
    { name: 'axon_ffmpeg_dropped_frames_total', help: 'Source frames FFmpeg dropped to hold the ladder frame rate.', type: 'counter' },
    (s) => s.transcodeProgress?.droppedFrames,
  );
  perBroadcast(
    {
      name: 'axon_ffmpeg_duplicated_frames_total',
      help: 'Frames FFmpeg repeated to hold the ladder frame rate (a source slower than the ladder).',
      type: 'counter',
    },
    (s) => s.transcodeProgress?.duplicatedFrames,
  );
}
