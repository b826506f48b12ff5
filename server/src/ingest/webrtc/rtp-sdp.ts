/** One RTP stream FFmpeg receives on 127.0.0.1 (RTCP on port + 1). */
export interface RtpInputStream {
  kind: 'audio' | 'video';
  port: number;
  payloadType: number;
  /** e.g. 'video/VP8', 'video/H264', 'audio/opus' */
  mimeType: string;
  clockRate: number;
  /** Audio channels as negotiated (Opus is always 2 in SDP). */
  channels?: number;
  /** The codec's fmtp parameters (e.g. H264 packetization-mode and profile-level-id). */
  parameters?: Record<string, string | number>;
}

// Values come from a publisher's RTP parameters: anything that could break out of an SDP line is refused.
const SAFE_VALUE = /^[\x21-\x3a\x3c-\x7e]+$/;
const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

function token(value: string | number, what: string, pattern = SAFE_VALUE): string {
  const s = String(value);
  if (!pattern.test(s)) throw new Error(`unsafe ${what} for the FFmpeg SDP: ${JSON.stringify(s)}`);
  return s;
}

function integer(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`invalid ${what} for the FFmpeg SDP: ${value}`);
  return value;
}

/** The SDP file through which FFmpeg reads plain RTP (one m= section per stream) from 127.0.0.1. */
export function buildRtpInputSdp(streams: RtpInputStream[]): string {
  if (streams.length === 0) throw new Error('an RTP input needs at least one stream');
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=Axon ingest', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const s of streams) {
    const pt = integer(s.payloadType, 0, 127, 'payload type');
    const [type, encoding] = s.mimeType.split('/');
    if (type?.toLowerCase() !== s.kind || !encoding) throw new Error(`mime type ${s.mimeType} does not match kind ${s.kind}`);
    let rtpmap = `${token(encoding, 'encoding name', SAFE_NAME)}/${integer(s.clockRate, 1, 1_000_000, 'clock rate')}`;
    if (s.kind === 'audio' && s.channels !== undefined && s.channels > 1) {
      rtpmap += `/${integer(s.channels, 2, 8, 'channel count')}`;
    }
    lines.push(`m=${s.kind} ${integer(s.port, 1, 65534, 'port')} RTP/AVP ${pt}`, `a=rtpmap:${pt} ${rtpmap}`);
    const fmtp = Object.entries(s.parameters ?? {}).map(([k, v]) => `${token(k, 'fmtp name', SAFE_NAME)}=${token(v, 'fmtp value')}`);
    if (fmtp.length > 0) lines.push(`a=fmtp:${pt} ${fmtp.join(';')}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}
