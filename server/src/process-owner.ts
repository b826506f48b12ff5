import fs from 'node:fs';
import os from 'node:os';

/**
 * Names one running process for as long as it runs: host, boot, pid and the kernel's start time of that
 * pid, so a pid reused later (or after a reboot) names a different process. Processes sharing
 * AXON_DATA_DIR tell by it whether what another one claimed is still held.
 */
export type ProcessOwner = string;

const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

function readOrDash(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '-';
  }
}

/** The start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat); '-' without /proc. */
function startTicks(pid: number): string {
  const stat = readOrDash(`/proc/${pid}/stat`);
  if (stat === '-') return '-';
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '-';
}

/** The owner string of the process with this pid now; undefined when there is none. */
export function processOwner(pid: number): ProcessOwner | undefined {
  const ticks = startTicks(pid);
  if (ticks === '-' && !pidExists(pid)) return undefined;
  return `${os.hostname()}/${readOrDash(BOOT_ID_FILE)}/${pid}/${ticks}`;
}

let self: ProcessOwner | undefined;

/** This process. */
export function thisProcess(): ProcessOwner {
  self ??= processOwner(process.pid)!;
  return self;
}

/** Whether the process an owner string names still runs on this host (another host's processes cannot be seen: not running). */
export function isRunning(owner: ProcessOwner): boolean {
  const pid = Number(owner.split('/')[2]);
  return Number.isInteger(pid) && pid > 0 && processOwner(pid) === owner;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
