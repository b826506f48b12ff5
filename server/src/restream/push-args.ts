import type { PushInput } from './push-input.js';

export interface PushArgsOptions {
  input: Pick<PushInput, 'inputArgs' | 'mapArgs'>;
  /** The destination with its stream key: redact it from anything FFmpeg prints. */
  destination: string;
  /** CA bundle an rtmps:// destination's certificate is checked against; the system's when undefined. */
  caFile: string | undefined;
}

/** A destination that stops taking data for this long is given up (and retried): microseconds, as FFmpeg wants them. */
const RW_TIMEOUT_US = 10_000_000;

/** The ingest URL and the stream key as RTMP clients join them: the key is the last path segment. */
export const destinationUrl = (url: string, streamKey: string) => `${url.replace(/\/+$/, '')}/${streamKey}`;

/**
 * FFmpeg pushing a broadcast to one RTMP(S) destination as FLV, every stream copied. The certificate of an
 * rtmps:// destination is verified (FFmpeg does not by default): the stream key is not handed to whoever
 * answers. Progress on stdout (bytes written give the bitrate out); only warnings and errors on stderr,
 * whose last lines say why a push ended.
 */
export function buildPushArgs(o: PushArgsOptions): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1', '-stats_period', '1',
    ...o.input.inputArgs,
    ...o.input.mapArgs,
    '-rw_timeout', String(RW_TIMEOUT_US),
    '-tls_verify', '1',
    ...(o.caFile === undefined ? [] : ['-ca_file', o.caFile]),
    // A live push has no end to seek back to for the duration and size FLV's header would like.
    '-flvflags', 'no_duration_filesize',
    '-f', 'flv',
    o.destination,
  ];
}
