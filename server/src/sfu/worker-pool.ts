import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { mediaCodecs } from './media-codecs.js';

export interface WorkerPoolStats {
  workers: number;
  routers: number;
  transports: number;
}

const RESPAWN_RETRY_MS = 2000;

/**
 * The mediasoup worker processes. Each broadcast gets its own router on the least-loaded worker; a
 * worker that dies takes its routers (and so their broadcasts) with it and is replaced.
 */
export class WorkerPool {
  /** Live workers and how many routers each holds. */
  private readonly routersByWorker = new Map<types.Worker, number>();
  private transports = 0;
  private closed = false;
  private respawnTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly rtc: Config['rtc'],
    private readonly log: Logger,
  ) {}

  static async create(rtc: Config['rtc'], log: Logger): Promise<WorkerPool> {
    // mediasoup otherwise prints through the `debug` package, i.e. nowhere unless DEBUG is set.
    mediasoup.setLogEventListeners({
      onwarn: (namespace, msg) => log.warn(msg, { namespace }),
      onerror: (namespace, msg, error) => log.error(msg, { namespace, error }),
    });
    const pool = new WorkerPool(rtc, log);
    try {
      for (let i = 0; i < rtc.workers; i++) await pool.spawn();
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  /** A router on the least-loaded worker; `codecs` replaces the publishers' list (e.g. payload types a viewer asked for). */
  async createRouter(codecs: types.RouterRtpCodecCapability[] = mediaCodecs): Promise<types.Router> {
    let best: types.Worker | undefined;
    for (const [worker, routers] of this.routersByWorker) {
      if (best === undefined || routers < (this.routersByWorker.get(best) ?? 0)) best = worker;
    }
    if (best === undefined) throw new Error('no mediasoup worker is running');
    return best.createRouter({ mediaCodecs: codecs });
  }

  async stats(): Promise<WorkerPoolStats> {
    let routers = 0;
    for (const n of this.routersByWorker.values()) routers += n;
    return { workers: this.routersByWorker.size, routers, transports: this.transports };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.respawnTimer);
    for (const worker of this.routersByWorker.keys()) worker.close();
    this.routersByWorker.clear();
  }

  private async spawn(): Promise<void> {
    const worker = await mediasoup.createWorker({
      logLevel: 'warn',
      rtcMinPort: this.rtc.minPort,
      rtcMaxPort: this.rtc.maxPort,
    });
    if (this.closed) {
      worker.close();
      return;
    }
    this.routersByWorker.set(worker, 0);
    worker.observer.on('newrouter', (router) => {
      this.adjustRouters(worker, +1);
      router.observer.once('close', () => this.adjustRouters(worker, -1));
      router.observer.on('newtransport', (transport) => {
        this.transports++;
        transport.observer.once('close', () => this.transports--);
      });
    });
    worker.once('died', (error) => {
      // mediasoup has already closed the worker's routers: their ingests report the broadcasts ended.
      this.routersByWorker.delete(worker);
      this.log.error('mediasoup worker died; starting a replacement', { pid: worker.pid, error });
      this.respawn();
    });
    this.log.debug('mediasoup worker started', { pid: worker.pid });
  }

  private adjustRouters(worker: types.Worker, delta: number): void {
    const current = this.routersByWorker.get(worker);
    if (current !== undefined) this.routersByWorker.set(worker, current + delta);
  }

  private respawn(): void {
    if (this.closed) return;
    this.spawn().catch((error: unknown) => {
      this.log.error('could not start a mediasoup worker; retrying', { error, retryInMs: RESPAWN_RETRY_MS });
      this.respawnTimer = setTimeout(() => this.respawn(), RESPAWN_RETRY_MS);
      this.respawnTimer.unref();
    });
  }
}
