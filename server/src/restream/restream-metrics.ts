import { Counter, Gauge, type Registry } from 'prom-client';
import type { TargetPush } from './target-push.js';

/** One pushed target of a live broadcast, as /metrics labels it. */
export interface MeteredPush {
  livestreamId: string;
  restreamId: string;
  push: Pick<TargetPush, 'view' | 'failures'>;
}

/**
 * Each pushed target, labelled by livestream and restream id (public ids; never a name a user typed, never
 * a key): whether it is live, its bitrate out and its failed pushes in this broadcast. Read at each scrape;
 * a target whose broadcast ended is gone from the next one.
 */
export function registerRestreamMetrics(registry: Registry, pushes: () => readonly MeteredPush[]): void {
  const labelNames = ['livestream', 'restream'];
  const each = (set: (labels: Record<string, string>, value: number) => void, read: (p: MeteredPush['push']) => number) => {
    for (const { livestreamId, restreamId, push } of pushes()) set({ livestream: livestreamId, restream: restreamId }, read(push));
  };
  const gauge = (name: string, help: string, read: (p: MeteredPush['push']) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        each((labels, value) => this.set(labels, value), read);
      },
    });
  gauge('axon_restream_live', 'Whether a restream target is receiving the broadcast (1) or not (connecting, retrying, failed: 0).', (p) => (p.view.status === 'live' ? 1 : 0));
  gauge('axon_restream_bitrate_out_bits', 'Bits per second a restream push writes to its destination.', (p) => p.view.bitrateOut ?? 0);
  new Counter({
    name: 'axon_restream_failures_total',
    help: 'Restream pushes that ended with an error in this broadcast.',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      each((labels, value) => this.inc(labels, value), (p) => p.failures);
    },
  });
}
