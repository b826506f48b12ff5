/**
 * What the suite started and must stop whatever happens: a failing benchmark, Ctrl-C, or a crash.
 * Async clean-ups run on the normal path and on SIGINT/SIGTERM; the synchronous last resort (a SIGKILL
 * of a process group we spawned) also runs from the 'exit' handler, where nothing async can.
 */
interface Cleanup {
  run(): Promise<void>;
  /** Best effort without awaiting: for `process.on('exit')`. */
  runSync?(): void;
}

const pending = new Set<Cleanup>();

/** Registers a clean-up; call the returned function once it has been done the normal way. */
export function onCleanup(cleanup: Cleanup): () => void {
  pending.add(cleanup);
  return () => pending.delete(cleanup);
}

/** Runs every registered clean-up, newest first (a browser before the server it talks to). */
export async function runCleanups(): Promise<void> {
  for (const c of [...pending].reverse()) {
    pending.delete(c);
    try {
      await c.run();
    } catch (err) {
      console.error(`bench: clean-up failed: ${(err as Error).message}`);
    }
  }
}

let installed = false;

/** Makes Ctrl-C, SIGTERM and an unexpected exit clean up too. Call once from the entry point. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`bench: ${signal}, cleaning up`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
  process.on('exit', () => {
    for (const c of pending) c.runSync?.();
  });
}
