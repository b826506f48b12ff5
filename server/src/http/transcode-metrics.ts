import type { LiveSession } from '../session/stream-session.js';
import type { MetricSample } from './prometheus.js';

/**
 * How each live broadcast's FFmpeg keeps up, labelled by livestream id: the public id of its URLs, never
 * its stream key. A broadcast appears once FFmpeg has first reported.
 */
export function transcodeSamples(sessions: readonly Pick<LiveSession, 'livestreamId' | 'transcodeProgress'>[]): MetricSample[] {
  return sessions.flatMap(({ livestreamId, transcodeProgress: p }): MetricSample[] => {
    if (!p) return [];
    const labels = { livestream: livestreamId };
    return [
      { name: 'axon_ffmpeg_speed', help: 'Encoding speed relative to real time (below 1 the broadcast falls behind).', value: p.speed, labels },
      { name: 'axon_ffmpeg_fps', help: 'Frames FFmpeg encodes per second.', value: p.fps, labels },
      {
        name: 'axon_ffmpeg_dropped_frames_total',
        help: 'Source frames FFmpeg dropped to hold the ladder frame rate.',
        value: p.droppedFrames,
        type: 'counter',
        labels,
      },
      {
        name: 'axon_ffmpeg_duplicated_frames_total',
        help: 'Frames FFmpeg repeated to hold the ladder frame rate (a source slower than the ladder).',
        value: p.duplicatedFrames,
        type: 'counter',
        labels,
      },
    ];
  });
}
