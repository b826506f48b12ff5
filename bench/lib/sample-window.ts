import { sleep } from './benchmark.js';

/**
 * Reads a value every `everyMs` through a window of `windowS` seconds. The reads keep to a schedule set
 * at the start: a slow read brings the next one forward, not the rest of the schedule back, so every
 * window holds the same number of reads. Reads that found nothing to measure (null or undefined) are left out.
 */
export async function sampleWindow<T>(everyMs: number, windowS: number, read: () => Promise<T | null | undefined>): Promise<T[]> {
  const samples: T[] = [];
  const start = Date.now();
  for (let next = start; next < start + windowS * 1000; next += everyMs) {
    await sleep(Math.max(0, next - Date.now()));
    const sample = await read();
    if (sample !== null && sample !== undefined) samples.push(sample);
  }
  return samples;
}
