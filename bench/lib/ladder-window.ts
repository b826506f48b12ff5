import { sleep } from './benchmark.js';
import { segmentCompletions, speedOf } from './ffmpeg-run-dir.js';
import type { ProcessSample } from './process-tree.js';
import { TreeMeter, type TreeUsage } from './tree-meter.js';

/** One measured window of one ladder: CPU-seconds per minute of input (per minute of wall time at real time). */
export interface LadderWindow {
  totalCpuSPerMin: number;
  ffmpegCpuSPerMin: number;
  nodeCpuSPerMin: number;
  mediasoupCpuSPerMin: number;
  speed: number;
}

/** Axon's tree: the server (Node), its mediasoup workers (idle with RTMP) and FFmpeg. */
export const classifyLadderTree = (p: ProcessSample) => (p.comm === 'ffmpeg' ? 'ffmpeg' : p.comm.startsWith('mediasoup') ? 'mediasoup' : 'node');

/** CPU-seconds per minute of one group of a measured tree, or of all of it. */
export const cpuSPerMinute = (usage: TreeUsage, group?: string) =>
  60 * Object.entries(usage.groups).reduce((sum, [name, g]) => (group === undefined || name === group ? sum + g.cores : sum), 0);

/**
 * Measures `pid`'s process tree for the window, and the ladder's speed from the top rung's segments
 * completed in that window (the CPU figure is only comparable between ladders that both kept real time).
 */
export async function measureLadderWindow(pid: number, runDir: () => string, windowS: number): Promise<LadderWindow> {
  const fromMs = Date.now();
  const meter = await TreeMeter.start(pid, classifyLadderTree);
  await sleep(windowS * 1000);
  const usage = await meter.stop();
  const speed = speedOf(await segmentCompletions(runDir()), fromMs, Date.now());
  return {
    totalCpuSPerMin: cpuSPerMinute(usage),
    ffmpegCpuSPerMin: cpuSPerMinute(usage, 'ffmpeg'),
    nodeCpuSPerMin: cpuSPerMinute(usage, 'node'),
    mediasoupCpuSPerMin: cpuSPerMinute(usage, 'mediasoup'),
    speed,
  };
}
