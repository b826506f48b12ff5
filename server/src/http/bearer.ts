import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { PublishRefusalCode } from '../../../shared/publish-refusal.js';
import { HttpError } from './http-error.js';

/** RFC 6750's token68 after "Bearer". */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="axon"' };

/** A 401 that tells the client which scheme to use. */
export const unauthorized = (message: string, code?: PublishRefusalCode) => new HttpError(401, message, CHALLENGE, code);

/**
 * The token of an `Authorization: Bearer <token>` header (the admin API's token, WHIP's stream key), or
 * undefined without the header. A header that is not a bearer token is a 401, carrying `code` when given.
 */
export function bearerToken(request: FastifyRequest, code?: PublishRefusalCode): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) throw unauthorized('malformed Authorization header: expected "Bearer <token>"', code);
  return token;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Remembers a token so that later ones can be checked against it in constant time (digests of equal length). */
export function tokenCheck(token: string): (candidate: string | undefined) => boolean {
  const expected = digest(token);
  return (candidate) => candidate !== undefined && timingSafeEqual(digest(candidate), expected);
}
