import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { bearerToken, tokenCheck } from './bearer.js';

const withHeader = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as FastifyRequest;

describe('bearerToken', () => {
  it('reads the token of a bearer header, whatever the case of the scheme and the spaces around', () => {
    expect(bearerToken(withHeader('Bearer abc.DEF_123-~+/=='))).toBe('abc.DEF_123-~+/==');
    expect(bearerToken(withHeader('bearer   xyz '))).toBe('xyz');
    expect(bearerToken(withHeader())).toBeUndefined();
  });

  it('refuses another scheme or a token with characters outside token68 with a 401 and its challenge, with the code asked for', () => {
    for (const header of ['Basic abc', 'Bearer', 'Bearer a b', 'Bearer ä', '']) {
      expect(() => bearerToken(withHeader(header)), header).toThrow(
        expect.objectContaining({ statusCode: 401, headers: { 'WWW-Authenticate': 'Bearer realm="axon"' }, code: undefined }),
      );
    }
    expect(() => bearerToken(withHeader('Basic abc'), 'wrong_key')).toThrow(expect.objectContaining({ code: 'wrong_key' }));
  });
});

describe('tokenCheck', () => {
  it('accepts the token only', () => {
    const accepts = tokenCheck('the-right-token');
    expect(accepts('the-right-token')).toBe(true);
    expect(accepts('the-right-token ')).toBe(false);
    expect(accepts('')).toBe(false);
    expect(accepts(undefined)).toBe(false);
  });
});
