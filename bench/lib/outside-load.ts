import fsp from 'node:fs/promises';
import { CLOCK_TICKS_PER_S } from './process-tree.js';

/**
 * How busy the machine was with work that is not the suite's: the machine's busy CPU time over a period
 * minus what the suite's own process and every child it has waited for used. The machine is shared, so
 * this says whether a figure was taken alone or next to someone's test run.
 */

/** CPU seconds the machine has been busy (user, nice, system, irq, softirq: not idle, iowait or steal), from a /proc/stat text. */
export function parseMachineBusyS(procStat: string): number {
  const cpu = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!cpu) throw new Error('/proc/stat has no "cpu" line');
  const [user, nice, system, , , irq, softirq] = cpu.trim().split(/\s+/).slice(1).map(Number);
  return [user, nice, system, irq, softirq].reduce((sum: number, v) => sum + (v ?? 0), 0) / CLOCK_TICKS_PER_S;
}

/** CPU seconds a process used itself and through its waited-for children (utime, stime, cutime, cstime), from its /proc/<pid>/stat text. */
export function parseOwnAndChildrenS(pidStat: string): number {
  // Field 3 (state) is index 0 of what follows the last ')'; utime … cstime are fields 14 … 17.
  const f = pidStat.slice(pidStat.lastIndexOf(')') + 2).trim().split(' ').map(Number);
  return (f[11]! + f[12]! + f[13]! + f[14]!) / CLOCK_TICKS_PER_S;
}

async function sample() {
  const [stat, self] = await Promise.all([fsp.readFile('/proc/stat', 'utf8'), fsp.readFile('/proc/self/stat', 'utf8')]);
  return { wallMs: performance.now(), machineS: parseMachineBusyS(stat), suiteS: parseOwnAndChildrenS(self) };
}

/**
 * Starts measuring; `stop()` returns the cores that processes outside the suite kept busy on average.
 * Children still running at `stop()` would count as outside: stop them first.
 */
export async function measureOutsideLoad(): Promise<{ stop(): Promise<number> }> {
  const start = await sample();
  return {
    stop: async () => {
      const end = await sample();
      const outsideS = end.machineS - start.machineS - (end.suiteS - start.suiteS);
      return Math.max(0, outsideS) / ((end.wallMs - start.wallMs) / 1000);
    },
  };
}
