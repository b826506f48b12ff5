import fsp from 'node:fs/promises';
import { type ProcessSample, sampleTree } from './process-tree.js';

/** Names the group a process counts towards (e.g. "server" or "ffmpeg"). */
export type Classify = (p: ProcessSample) => string;

export interface GroupUsage {
  /** CPU seconds used per second of wall time: 1 = one core busy. */
  cores: number;
  /** Largest sum of the group's resident memory seen at one sample. */
  peakRssBytes: number;
}

export interface TreeUsage {
  wallS: number;
  samples: number;
  groups: Record<string, GroupUsage>;
}

/** Resident memory of a process tree now, summed per group. */
export async function rssByGroup(root: number, classify: Classify): Promise<Record<string, number>> {
  const rss: Record<string, number> = {};
  for (const p of await sampleTree(root)) rss[classify(p)] = (rss[classify(p)] ?? 0) + p.rssBytes;
  return rss;
}

async function uptimeS(): Promise<number> {
  return Number((await fsp.readFile('/proc/uptime', 'utf8')).split(' ')[0]);
}

const key = (p: ProcessSample) => `${p.pid}:${p.startedS}`;

/**
 * Watches a process tree over a window: CPU each group used (from /proc's cumulative counters, so
 * nothing between samples is missed) and the peak of each group's summed RSS (sampled).
 * A process that starts inside the window counts from zero; one that ends inside it loses only
 * what it used after the last sample.
 */
export class TreeMeter {
  private readonly first = new Map<string, ProcessSample>();
  private readonly last = new Map<string, ProcessSample>();
  private readonly peakRss: Record<string, number> = {};
  private samples = 0;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  private constructor(
    private readonly root: number,
    private readonly classify: Classify,
    private readonly startedMs: number,
    private readonly startedUptimeS: number,
  ) {}

  static async start(root: number, classify: Classify, intervalMs = 1000): Promise<TreeMeter> {
    const meter = new TreeMeter(root, classify, performance.now(), await uptimeS());
    await meter.sample();
    meter.timer = setInterval(() => {
      meter.sampling = meter.sampling.then(() => meter.sample());
    }, intervalMs);
    return meter;
  }

  private async sample(): Promise<void> {
    const tree = await sampleTree(this.root);
    const rss: Record<string, number> = {};
    for (const p of tree) {
      const k = key(p);
      if (!this.first.has(k)) {
        const bornInWindow = p.startedS > this.startedUptimeS;
        this.first.set(k, bornInWindow ? { ...p, cpuS: 0 } : p);
      }
      this.last.set(k, p);
      const group = this.classify(p);
      rss[group] = (rss[group] ?? 0) + p.rssBytes;
    }
    for (const [group, bytes] of Object.entries(rss)) this.peakRss[group] = Math.max(this.peakRss[group] ?? 0, bytes);
    this.samples++;
  }

  async stop(): Promise<TreeUsage> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample();
    const wallS = (performance.now() - this.startedMs) / 1000;
    const cpu: Record<string, number> = {};
    for (const [k, end] of this.last) {
      const group = this.classify(end);
      cpu[group] = (cpu[group] ?? 0) + end.cpuS - this.first.get(k)!.cpuS;
    }
    const groups: Record<string, GroupUsage> = {};
    for (const group of new Set([...Object.keys(cpu), ...Object.keys(this.peakRss)])) {
      groups[group] = { cores: (cpu[group] ?? 0) / wallS, peakRssBytes: this.peakRss[group] ?? 0 };
    }
    return { wallS, samples: this.samples, groups };
  }
}
