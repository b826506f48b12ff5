import fsp from 'node:fs/promises';

/**
 * Counts this process's child processes by command name, read from /proc: the truth about orphans,
 * independent of any bookkeeping. Returns 0 where /proc is not available.
 */
export async function countChildProcesses(command: string, parentPid = process.pid): Promise<number> {
  let entries: string[];
  try {
    entries = await fsp.readdir('/proc');
  } catch {
    return 0;
  }
  let count = 0;
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (pid) => {
        try {
          const stat = await fsp.readFile(`/proc/${pid}/stat`, 'utf8');
          // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split at the last ')'.
          const close = stat.lastIndexOf(')');
          const comm = stat.slice(stat.indexOf('(') + 1, close);
          const ppid = Number(stat.slice(close + 2).split(' ')[1]);
          if (ppid === parentPid && comm === command) count += 1;
        } catch {
          // the process ended while we looked
        }
      }),
  );
  return count;
}

/** How often child processes are counted: often enough for a dashboard, rare enough to cost nothing. */
const PROCESS_SAMPLE_MS = 2000;

export interface ChildProcessSampler {
  /** Children running `command` at the last sample. */
  count(command: string): number;
  /** Stops sampling. */
  close(): void;
}

/**
 * Counts the children running each of `commands` now and then every `intervalMs`, so that a scrape of
 * /metrics, however frequent, reads the last figures rather than walking /proc.
 */
export async function sampleChildProcesses(
  commands: readonly string[],
  intervalMs = PROCESS_SAMPLE_MS,
  counter: (command: string) => Promise<number> = countChildProcesses,
): Promise<ChildProcessSampler> {
  let counts = new Map<string, number>();
  let sampling = false;
  const sample = async () => {
    // A slow /proc walk is not started again until it ends.
    if (sampling) return;
    sampling = true;
    try {
      counts = new Map(await Promise.all(commands.map(async (c) => [c, await counter(c)] as const)));
    } finally {
      sampling = false;
    }
  };
  await sample();
  const timer = setInterval(() => void sample(), intervalMs).unref();
  return {
    count: (command) => counts.get(command) ?? 0,
    close: () => clearInterval(timer),
  };
}
