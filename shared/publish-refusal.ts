/**
 * Why a publish was refused, as a code a program can act on. Every answer that refuses a publish carries
 * one beside the human message: WHIP's JSON `{ "error": "...", "code": "..." }`, the studio signalling's
 * `{ ok: false, error, code }`, and `data.code` of the studio's Socket.IO `connect_error`.
 */
export const PUBLISH_REFUSAL_CODES = [
  'unknown_livestream',
  /** No key, or not this livestream's current one. */
  'wrong_key',
  /** The owner disabled the livestream. */
  'disabled',
  /** The livestream has a publisher already. */
  'already_live',
  /** The server runs as many broadcasts as it can: try again later. */
  'at_capacity',
  /** This node of a cluster is full and another has room: the refusal's `nodeUrl` names it (the studio reconnects there). */
  'moved',
  /** The livestream was deleted, disabled or given a new key while this publisher was still negotiating. */
  'kicked',
  /** This address holds as many publish sessions (or requests in flight) as it may. */
  'too_many_sessions',
  /** The request was malformed or out of order (the message says which). */
  'invalid_request',
  'internal',
] as const;
export type PublishRefusalCode = (typeof PUBLISH_REFUSAL_CODES)[number];

export interface PublishRefusal {
  /** For people. */
  error: string;
  code: PublishRefusalCode;
}

export const isPublishRefusalCode = (value: unknown): value is PublishRefusalCode =>
  (PUBLISH_REFUSAL_CODES as readonly unknown[]).includes(value);
