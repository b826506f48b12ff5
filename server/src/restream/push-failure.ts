import type { RestreamFailure } from '../../../shared/restream.js';

/** What replaces a stream key wherever FFmpeg's words are kept or shown. */
export const REDACTED = '…';

/** `text` with every occurrence of the secret replaced, so that FFmpeg's lines (which print the URL) can be logged and shown. */
export function redact(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join(REDACTED);
}

const TLS = /\[tls @|tls:\/\/|certificate|handshake|gnutls|ssl/i;
const UNREACHABLE = /connection refused|failed to resolve|name or service not known|timed out|no route to host|network is unreachable|cannot open connection tcp:/i;
/** The destination accepted the connection and then closed it or said no: what RTMP servers do with a wrong key. */
const REFUSED = /server error|badname|publish\.(?:bad|denied|rejected)|unauthori[sz]ed|forbidden|input\/output error|end of file|broken pipe|connection reset/i;

/**
 * Why a push ended, read from FFmpeg's last lines (already redacted). A push that had gone live and then
 * lost its connection was dropped; the same words before any media flowed mean the destination refused it.
 */
export function classifyPushFailure(stderrTail: readonly string[], wasLive: boolean, exit: string): RestreamFailure {
  const text = stderrTail.join('\n');
  const last = stderrTail.at(-1) ?? exit;
  // A refused TCP connection to an rtmps:// host also names its TLS layer: the network is the reason then.
  if (UNREACHABLE.test(text)) return { code: 'unreachable', message: `the destination could not be reached: ${last}` };
  if (TLS.test(text)) return { code: 'tls_error', message: `TLS handshake or certificate check failed: ${last}` };
  if (wasLive) return { code: 'disconnected', message: `the destination dropped the push: ${last}` };
  if (REFUSED.test(text)) return { code: 'refused_key', message: `the destination refused the stream (check the stream key): ${last}` };
  return { code: 'ffmpeg_error', message: `FFmpeg failed: ${last}` };
}

/** A refused key or a failed certificate does not fix itself within a broadcast: no point in retrying. */
export const isFinalFailure = (f: RestreamFailure) => f.code === 'refused_key' || f.code === 'tls_error';
