import type { FastifyRequest } from 'fastify';
import { bearerToken, tokenCheck, unauthorized } from './bearer.js';
import { HttpError } from './http-error.js';

/** Checks `Authorization: Bearer <AXON_API_TOKEN>` (or another token, named `what` in refusals) in constant time. */
export class AdminAuth {
  private readonly accepts: (candidate: string | undefined) => boolean;

  constructor(
    token: string,
    private readonly what = 'API token',
  ) {
    this.accepts = tokenCheck(token);
  }

  /** Throws 401 when the header is missing or malformed, 403 when the token is wrong. */
  require(request: FastifyRequest): void {
    const token = bearerToken(request);
    if (token === undefined) throw unauthorized('missing Authorization header');
    this.check(token);
  }

  /** Like require(), but a request without an Authorization header is anonymous rather than refused. */
  isAdmin(request: FastifyRequest): boolean {
    const token = bearerToken(request);
    if (token === undefined) return false;
    this.check(token);
    return true;
  }

  private check(token: string): void {
    if (!this.accepts(token)) throw new HttpError(403, `wrong ${this.what}`);
  }
}
