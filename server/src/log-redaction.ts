import type { redactOptions } from 'pino';
import { RTMP_APP } from '../../shared/constants.js';

/**
 * Fields whose value is a secret wherever it appears: stream keys, the admin and metrics tokens, webhook
 * secrets, restream keys, passwords, Authorization headers. A line keeps the field and loses its value.
 */
const SECRET_FIELDS = ['streamKey', 'key', 'token', 'apiToken', 'authorization', 'cookie', 'secret', 'password', 'webhookSecret', 'restreamKey'];

/**
 * Fields that hold a URL, which may carry a secret: an RTMP publish URL ends in its stream key (and some
 * encoders put it in tcUrl's query), a Redis URL may hold a password, any query may hold a token.
 */
const URL_FIELDS = ['url', 'tcUrl', 'rtmpUrl', 'streamUrl', 'redisUrl'];

export const REDACTED = '[redacted]';

/**
 * RTMP's path is `/<app>/<stream key>`. Axon's application name is worth seeing; anything else may be a key
 * (OBS users paste the whole URL in the Server field, key included, as the application).
 */
const RTMP_SCHEME = /^rtmps?:$/;

/** A URL without what could be a secret in it: password, query, and an RTMP URL's stream name. */
export function withoutUrlSecrets(value: unknown): unknown {
  if (typeof value !== 'string') return REDACTED;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL (a path, or a URL cut short): only what comes before a query is safe to show.
    return value.includes('?') ? `${value.slice(0, value.indexOf('?'))}?${REDACTED}` : value;
  }
  if (url.password) url.password = '***';
  const query = url.search === '' ? '' : `?${REDACTED}`;
  url.search = '';
  url.hash = '';
  let text = url.toString();
  if (RTMP_SCHEME.test(url.protocol)) {
    const [app, stream] = url.pathname.split('/').filter((part) => part !== '');
    if (app === RTMP_APP) text = `${url.protocol}//${url.host}/${RTMP_APP}${stream === undefined ? '' : `/${REDACTED}`}`;
    else text = `${url.protocol}//${url.host}${app === undefined ? '' : `/${REDACTED}`}`;
  }
  return `${text}${query}`;
}

const urlFields = new Set(URL_FIELDS);

/**
 * pino's redaction: each field above at the top of a line's fields and one level down (`{ livestream: {
 * streamKey } }`, `{ headers: { authorization } }`), plus a request's headers as Fastify's serialiser shows
 * them. A secret field loses its value; a URL field keeps its host and path without their secrets.
 */
export const secretRedaction: redactOptions = {
  paths: [...SECRET_FIELDS, ...URL_FIELDS].flatMap((field) => [field, `*.${field}`]).concat(['req.headers.authorization', 'req.headers.cookie']),
  censor: (value: unknown, path: string[]) => (urlFields.has(String(path.at(-1))) ? withoutUrlSecrets(value) : REDACTED),
};
