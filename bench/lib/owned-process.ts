import { spawn, type ChildProcess } from 'node:child_process';
import { onCleanup } from './cleanup.js';

const OUTPUT_TAIL_CHARS = 4000;

export interface OwnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  readonly hasExited: boolean;
  /** The end of what it wrote to stderr, for error messages. */
  errors(): string;
  /** Sends `signal`, then SIGKILLs its process group if it is still there after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export interface StartProcessOptions {
  cwd?: string;
  /** 'pipe' to read child.stdout (it must then be read, or the child blocks once the pipe is full). */
  stdout?: 'pipe' | 'ignore';
}

/**
 * Starts a helper process (FFmpeg, nginx, wrk) in a process group of its own, so that stopping it
 * reaches whatever it spawned, and so that a failing benchmark or Ctrl-C never leaves it running.
 */
export function startProcess(command: string, args: readonly string[], options: StartProcessOptions = {}): OwnedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', options.stdout ?? 'ignore', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-OUTPUT_TAIL_CHARS);
  });
  let hasExited = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      hasExited = true;
      resolve(code);
    }),
  );
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is already empty
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000) =>
    (stopping ??= (async () => {
      if (!hasExited) {
        child.kill(signal);
        const timer = setTimeout(killGroup, graceMs);
        await exited;
        clearTimeout(timer);
      }
      killGroup();
      unregister();
    })());
  const unregister = onCleanup({ run: () => stop('SIGKILL', 0), runSync: killGroup });
  return {
    child,
    pid,
    exited,
    get hasExited() {
      return hasExited;
    },
    errors: () => stderr,
    stop,
  };
}
