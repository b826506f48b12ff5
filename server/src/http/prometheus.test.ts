import { describe, expect, it } from 'vitest';
import { formatPrometheus } from './prometheus.js';

describe('formatPrometheus', () => {
  it('writes HELP, TYPE and value for each sample', () => {
    expect(
      formatPrometheus([
        { name: 'axon_live_sessions', help: 'Broadcasts now live', value: 2 },
        { name: 'axon_broadcasts_total', help: 'Broadcasts since start', value: 7, type: 'counter' },
      ]),
    ).toBe(
      '# HELP axon_live_sessions Broadcasts now live\n# TYPE axon_live_sessions gauge\naxon_live_sessions 2\n' +
        '# HELP axon_broadcasts_total Broadcasts since start\n# TYPE axon_broadcasts_total counter\naxon_broadcasts_total 7\n',
    );
  });

  it('escapes help text and spells special values the Prometheus way', () => {
    expect(formatPrometheus([{ name: 'm', help: 'a\\b\nc', value: Infinity }])).toBe('# HELP m a\\\\b\\nc\n# TYPE m gauge\nm +Inf\n');
    expect(formatPrometheus([{ name: 'm', help: '', value: NaN }])).toContain('\nm NaN\n');
    expect(formatPrometheus([{ name: 'm', help: '', value: -Infinity }])).toContain('\nm -Inf\n');
    expect(formatPrometheus([])).toBe('');
  });

  it('writes one HELP and TYPE per name above each labelled sample of it, escaping label values', () => {
    expect(
      formatPrometheus([
        { name: 'axon_ffmpeg_fps', help: 'fps', value: 30, labels: { livestream: 'a' } },
        { name: 'axon_live_sessions', help: 'live', value: 2 },
        { name: 'axon_ffmpeg_fps', help: 'fps', value: 29.97, labels: { livestream: 'b"\\\n' } },
      ]),
    ).toBe(
      '# HELP axon_ffmpeg_fps fps\n# TYPE axon_ffmpeg_fps gauge\naxon_ffmpeg_fps{livestream="a"} 30\naxon_ffmpeg_fps{livestream="b\\"\\\\\\n"} 29.97\n' +
        '# HELP axon_live_sessions live\n# TYPE axon_live_sessions gauge\naxon_live_sessions 2\n',
    );
  });
});
