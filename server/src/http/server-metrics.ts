import type { Registry } from 'prom-client';
import type { ChildProcessSampler } from '../process-metrics.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { WorkerPool } from '../sfu/worker-pool.js';
import { oncePerScrape, registerValue } from './prometheus.js';

export interface ServerMetricsDeps {
  sessions: Pick<SessionRegistry, 'all'>;
  processes: ChildProcessSampler;
  pool: Pick<WorkerPool, 'stats'>;
}

/** This process's broadcasts, FFmpeg processes and mediasoup objects. */
export function registerServerMetrics(registry: Registry, { sessions, processes, pool }: ServerMetricsDeps): void {
  const mediasoup = oncePerScrape(() => pool.stats());
  registerValue(registry, { name: 'axon_live_sessions', help: 'Broadcasts in progress.' }, () => sessions.all().length);
  registerValue(registry, { name: 'axon_ffmpeg_processes', help: 'FFmpeg processes run by this server.' }, () => processes.count('ffmpeg'));
  registerValue(registry, { name: 'axon_mediasoup_workers', help: 'mediasoup worker processes.' }, async () => (await mediasoup()).workers);
  registerValue(registry, { name: 'axon_mediasoup_routers', help: 'mediasoup routers (one per WebRTC broadcast).' }, async () => (await mediasoup()).routers);
  registerValue(registry, { name: 'axon_mediasoup_transports', help: 'mediasoup transports (WebRTC and plain RTP).' }, async () => (await mediasoup()).transports);
}
