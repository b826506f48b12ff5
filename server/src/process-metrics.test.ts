import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../test/fixtures/wait-for.js';
import { sampleChildProcesses, type ChildProcessSampler } from './process-metrics.js';

describe('sampleChildProcesses', () => {
  const children: ChildProcess[] = [];
  const samplers: ChildProcessSampler[] = [];
  afterEach(() => {
    children.splice(0).forEach((c) => c.kill('SIGKILL'));
    samplers.splice(0).forEach((s) => s.close());
  });

  it('counts the children running a command, as of its last sample', async () => {
    const sampler = await sampleChildProcesses(['sleep'], 50);
    samplers.push(sampler);
    expect(sampler.count('sleep')).toBe(0);
    children.push(spawn('sleep', ['30']), spawn('sleep', ['30']));
    await waitFor('two sleeping children', () => sampler.count('sleep') === 2);
    children.splice(0).forEach((c) => c.kill('SIGKILL'));
    await waitFor('the children to be gone', () => sampler.count('sleep') === 0);
    expect(sampler.count('ffmpeg')).toBe(0);
  });

  it('reads /proc on its timer, never when asked, and not after close', async () => {
    let walks = 0;
    const sampler = await sampleChildProcesses(['ffmpeg'], 100, async () => ++walks);
    expect(walks).toBe(1);
    for (let i = 0; i < 1000; i++) expect(sampler.count('ffmpeg')).toBe(1);
    expect(walks).toBe(1);
    await waitFor('the next sample', () => walks >= 2);
    sampler.close();
    const last = walks;
    expect(sampler.count('ffmpeg')).toBe(last);
    await new Promise((r) => setTimeout(r, 300));
    expect(walks).toBe(last);
  });
});
