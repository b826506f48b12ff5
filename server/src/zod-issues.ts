import type { z } from 'zod';

/**
 * Every problem zod found, each as `path: message` (the message alone when it concerns the whole value):
 * the one wording of validation failures, whether an API answer, a signalling refusal or the start's
 * configuration check shows them.
 */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
}
