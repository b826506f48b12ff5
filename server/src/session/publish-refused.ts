import type { PublishRefusalCode } from '../../../shared/publish-refusal.js';

/**
 * A publish refused: the code every ingest's answer carries (shared/publish-refusal.ts), and the message,
 * which is meant for the publisher.
 */
export class PublishRefusedError extends Error {
  constructor(
    readonly code: PublishRefusalCode,
    message: string,
  ) {
    super(message);
  }
}
