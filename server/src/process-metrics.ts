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
