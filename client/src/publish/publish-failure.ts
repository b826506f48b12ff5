import { isPublishRefusalCode } from '../../../shared/publish-refusal.js';
import { PublishError } from './publisher.js';

// The failures every publisher meets, in the words the studio shows, whichever protocol it speaks.

export const serverUnreachable = () => new PublishError('unreachable', 'Cannot reach the Axon server. Check your connection and try again.');

export const connectionLost = () => new PublishError('connection_lost', 'The connection to the server was lost. The stream has stopped.');

export const startCancelled = () => new PublishError('cancelled', 'The broadcast was ended before it started.');

/** The server's refusal: its words for the streamer, and its code (shared/publish-refusal.ts) for the page to act on. */
export const refusedBy = (refusal: { error: string; code?: unknown }) =>
  new PublishError('rejected', refusal.error, isPublishRefusalCode(refusal.code) ? refusal.code : undefined);

/**
 * What start() rejects with when one of its steps threw: cancelled when end() came meanwhile (what broke
 * then is its consequence, not news), else the error itself; one that is not a PublishError is the
 * server's or the browser's refusal, in its own words.
 */
export function startFailure(error: unknown, ending: boolean): PublishError {
  if (ending) return startCancelled();
  if (error instanceof PublishError) return error;
  return new PublishError('rejected', error instanceof Error ? error.message : String(error));
}
