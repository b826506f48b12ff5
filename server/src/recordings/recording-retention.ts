import type { Logger } from '../log.js';
import type { RecordingLibrary } from './recording-library.js';

const DAY_MS = 24 * 3600 * 1000;
/** How often old recordings are looked for after the first sweep at start-up. */
export const RETENTION_SWEEP_MS = 3600 * 1000;

export interface RecordingRetention {
  close(): void;
}

/**
 * Deletes recordings that ended more than `days` ago: once now, then hourly. Without `days`
 * (AXON_RECORDING_RETENTION_DAYS unset) recordings are kept forever and nothing runs.
 */
export function startRecordingRetention(o: { library: RecordingLibrary; days: number | undefined; log: Logger; intervalMs?: number }): RecordingRetention {
  const { days } = o;
  if (days === undefined) return { close: () => undefined };
  const sweep = () =>
    o.library.removeEndedBefore(new Date(Date.now() - days * DAY_MS)).catch((err: unknown) => {
      o.log.error('old recordings could not be deleted', { err });
    });
  void sweep();
  const timer = setInterval(() => void sweep(), o.intervalMs ?? RETENTION_SWEEP_MS);
  // Nothing to finish: a sweep cut short by shutdown is done by the next start.
  timer.unref();
  return { close: () => clearInterval(timer) };
}
