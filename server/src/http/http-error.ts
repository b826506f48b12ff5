import type { z } from 'zod';
import type { PublishRefusalCode } from '../../../shared/publish-refusal.js';
import { describeIssues } from '../zod-issues.js';

/**
 * An error whose status and message are meant for the client; the app's error handler answers `{ error }`,
 * and `{ error, code }` for a refused publish.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly code?: PublishRefusalCode,
  ) {
    super(message);
  }
}

/** Parses input from outside, or throws a 400 naming every problem. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new HttpError(400, describeIssues(result.error).join('; '));
}
