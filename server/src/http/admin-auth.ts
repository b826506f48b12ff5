import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const challenge = { 'WWW-Authenticate': 'Bearer realm="axon"' };
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Checks `Authorization: Bearer <AXON_API_TOKEN>` (or another token, named `what` in refusals) in constant time. */
export class AdminAuth {
  private readonly tokenDigest: Buffer;

  constructor(
    token: string,
    private readonly what = 'API token',
  ) {
    this.tokenDigest = digest(token);
  }

  /** Throws 401 when the header is missing or malformed, 403 when the token is wrong. */
  require(request: FastifyRequest): void {
    if (request.headers.authorization === undefined) throw new HttpError(401, 'missing Authorization header', challenge);
    this.check(request.headers.authorization);
  }

  /** Like require(), but a request without an Authorization header is anonymous rather than refused. */
  isAdmin(request: FastifyRequest): boolean {
    if (request.headers.authorization === undefined) return false;
    this.check(request.headers.authorization);
    return true;
  }

  private check(header: string): void {
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) throw new HttpError(401, 'malformed Authorization header: expected "Bearer <token>"', challenge);
    if (!timingSafeEqual(digest(token), this.tokenDigest)) throw new HttpError(403, `wrong ${this.what}`);
  }
}
