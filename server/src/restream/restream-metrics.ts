import type { MetricSample } from '../http/prometheus.js';
import type { BroadcastRestreams } from './broadcast-restreams.js';

/**
 * Each pushed target, labelled by livestream and restream id (public ids; never a name a user typed, never
 * a key): whether it is live, its bitrate out and its failed pushes in this broadcast.
 */
export function restreamSamples(broadcasts: ReadonlyMap<string, BroadcastRestreams>): MetricSample[] {
  return [...broadcasts].flatMap(([livestream, broadcast]) =>
    broadcast.running().flatMap(({ target, push }): MetricSample[] => {
      const labels = { livestream, restream: target.id };
      const { status, bitrateOut } = push.view;
      return [
        { name: 'axon_restream_live', help: 'Whether a restream target is receiving the broadcast (1) or not (connecting, retrying, failed: 0).', value: status === 'live' ? 1 : 0, labels },
        { name: 'axon_restream_bitrate_out_bits', help: 'Bits per second a restream push writes to its destination.', value: bitrateOut ?? 0, labels },
        { name: 'axon_restream_failures_total', help: 'Restream pushes that ended with an error in this broadcast.', value: push.failures, type: 'counter', labels },
      ];
    }),
  );
}
