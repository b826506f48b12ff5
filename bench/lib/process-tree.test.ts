import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLOCK_TICKS_PER_S, PAGE_BYTES, parseStat, sampleTree, selectTree, type ProcessSample } from './process-tree.js';

describe('parseStat', () => {
  it('reads pid, parent, name, CPU time and RSS even when the name holds spaces and parentheses', () => {
    // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    // cutime cstime priority nice threads itreal starttime vsize rss ...
    const line = '4242 (mediasoup (w) 1) S 100 4242 4242 0 -1 4194560 10 0 0 0 250 50 0 0 20 0 4 0 9000 1000000 2560 rest';
    const p = parseStat(line)!;
    expect(p.pid).toBe(4242);
    expect(p.ppid).toBe(100);
    expect(p.comm).toBe('mediasoup (w) 1');
    expect(p.cpuS).toBeCloseTo(300 / CLOCK_TICKS_PER_S, 9);
    expect(p.startedS).toBeCloseTo(9000 / CLOCK_TICKS_PER_S, 9);
    expect(p.rssBytes).toBe(2560 * PAGE_BYTES);
  });

  it('refuses what is not a stat line', () => {
    expect(parseStat('garbage')).toBeUndefined();
    expect(parseStat('12 (x) S')).toBeUndefined();
  });
});

const proc = (pid: number, ppid: number): ProcessSample => ({ pid, ppid, comm: `p${pid}`, startedS: 0, cpuS: 0, rssBytes: 0 });

describe('selectTree', () => {
  it('keeps the root and all its descendants, and nothing else', () => {
    const all = [proc(1, 0), proc(10, 1), proc(11, 10), proc(12, 11), proc(20, 1), proc(13, 10)];
    expect(selectTree(all, 10).map((p) => p.pid).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(selectTree(all, 99)).toEqual([]);
  });
});

describe('sampleTree', () => {
  it('finds a real child and grandchild of a process', async () => {
    // Its own process group, so the kill below also ends the grandchild.
    const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore', detached: true });
    try {
      await expect.poll(async () => (await sampleTree(child.pid!)).map((p) => p.comm).sort(), { timeout: 5000 }).toEqual(['sh', 'sleep']);
      const tree = await sampleTree(child.pid!);
      expect(tree.every((p) => p.rssBytes > 0)).toBe(true);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
