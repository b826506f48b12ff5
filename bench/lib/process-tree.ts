import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';

/** One process as /proc/<pid>/stat describes it. */
export interface ProcessSample {
  pid: number;
  ppid: number;
  comm: string;
  /** Seconds after boot at which it started: tells a reused pid from the process it replaced. */
  startedS: number;
  /** User plus system CPU time it has used, in seconds. */
  cpuS: number;
  rssBytes: number;
}

function sysconf(name: string, fallback: number): number {
  try {
    return Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim()) || fallback;
  } catch {
    return fallback;
  }
}

export const CLOCK_TICKS_PER_S = sysconf('CLK_TCK', 100);
export const PAGE_BYTES = sysconf('PAGESIZE', 4096);

/** Parses one /proc/<pid>/stat line (proc(5)); undefined when it is not one. */
export function parseStat(line: string): ProcessSample | undefined {
  // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split at the last ')'.
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // Field 3 (state) is index 0 of what follows the ')'.
  const f = line.slice(close + 2).trim().split(' ').map(Number);
  const at = (field: number) => f[field - 3] ?? NaN;
  const sample = {
    pid: Number(line.slice(0, open)),
    ppid: at(4),
    comm: line.slice(open + 1, close),
    startedS: at(22) / CLOCK_TICKS_PER_S,
    cpuS: (at(14) + at(15)) / CLOCK_TICKS_PER_S,
    rssBytes: at(24) * PAGE_BYTES,
  };
  return Object.values(sample).every((v) => typeof v === 'string' || Number.isFinite(v)) ? sample : undefined;
}

async function readAllProcesses(): Promise<ProcessSample[]> {
  const pids = (await fsp.readdir('/proc')).filter((e) => /^\d+$/.test(e));
  const samples = await Promise.all(
    pids.map(async (pid) => {
      try {
        return parseStat(await fsp.readFile(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return undefined; // it ended while we looked
      }
    }),
  );
  return samples.filter((s): s is ProcessSample => s !== undefined);
}

/** Keeps `root` and its descendants (children, grandchildren, ...) out of a full process list. */
export function selectTree(all: readonly ProcessSample[], root: number): ProcessSample[] {
  const children = new Map<number, ProcessSample[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const tree = all.filter((p) => p.pid === root);
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!.pid) ?? []));
  return tree;
}

/** A process tree: the root and its descendants, now. Empty when the root is gone. */
export async function sampleTree(root: number): Promise<ProcessSample[]> {
  return selectTree(await readAllProcesses(), root);
}
