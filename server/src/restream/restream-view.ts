import type { RestreamTarget } from '../../../shared/restream.js';
import type { RestreamRecord } from './restream-repository.js';
import type { PushState } from './target-push.js';

/** Keys this short show nothing of themselves: 4 characters would be half of one. */
const SHORTEST_KEY_SHOWN = 9;

/** The last 4 characters after "…", enough to tell two keys apart, never enough to use one. */
export function maskStreamKey(key: string): string {
  return key.length < SHORTEST_KEY_SHOWN ? '…' : `…${key.slice(-4)}`;
}

const IDLE: PushState = { status: 'idle', reason: null, bitrateOut: null, uptimeS: null };

/** A target as the API shows it: its push's state while a broadcast pushes it, idle otherwise. */
export function restreamView(record: RestreamRecord, push: (PushState & { source: RestreamTarget['source'] }) | undefined): RestreamTarget {
  const { streamKey, ...rest } = record;
  const state = push ?? { ...IDLE, source: null };
  return { ...rest, streamKeyMasked: maskStreamKey(streamKey), ...state };
}
