import { describe, expect, it } from 'vitest';
import { classifyPushFailure, isFinalFailure, redact } from './push-failure.js';

// FFmpeg 5.1's own words for each case, as measured against nginx-rtmp, a TLS server and a closed port.
describe('classifyPushFailure', () => {
  it.each([
    [['rtmp://127.0.0.1:19350/live/…: Input/output error'], false, 'refused_key'],
    [['[tcp @ 0x5] Connection to tcp://127.0.0.1:19352?tcp_nodelay=0 failed: Connection refused', 'rtmp://127.0.0.1:19352/live/…: Connection refused'], false, 'unreachable'],
    [['[tcp @ 0x5] Failed to resolve hostname nowhere.invalid: Name or service not known'], false, 'unreachable'],
    [['[tls @ 0x5] Error in the pull function.', '[tls @ 0x5] IO error: End of file', 'rtmps://127.0.0.1:1936/live/…: End of file'], false, 'tls_error'],
    [['[tls @ 0x5] Peer certificate failed verification', '[rtmps @ 0x6] Cannot open connection tls://127.0.0.1:19443', 'rtmps://127.0.0.1:19443/live/…: Input/output error'], false, 'tls_error'],
    [["[tls @ 0x5] The certificate's owner does not match hostname localhost"], false, 'tls_error'],
    [['[tcp @ 0x5] Connection to tcp://127.0.0.1:1936 failed: Connection refused', '[rtmps @ 0x6] Cannot open connection tls://127.0.0.1:1936'], false, 'unreachable'],
    [['[flv @ 0x5] Failed to update header with correct duration.', 'av_interleaved_write_frame(): Broken pipe'], true, 'disconnected'],
    [['Unknown encoder'], false, 'ffmpeg_error'],
  ])('%j (live before: %s) is %s', (tail, wasLive, code) => {
    const failure = classifyPushFailure(tail, wasLive, 'exit 1');
    expect(failure.code).toBe(code);
    expect(failure.message).toContain(tail.at(-1));
  });

  it('gives up at once only on a refused key and a failed TLS check', () => {
    expect(isFinalFailure({ code: 'refused_key', message: '' })).toBe(true);
    expect(isFinalFailure({ code: 'tls_error', message: '' })).toBe(true);
    expect(isFinalFailure({ code: 'unreachable', message: '' })).toBe(false);
    expect(isFinalFailure({ code: 'disconnected', message: '' })).toBe(false);
  });
});

describe('redact', () => {
  it('replaces every occurrence of the secret', () => {
    expect(redact('rtmp://h/app/sk-123: error; again sk-123', 'sk-123')).toBe('rtmp://h/app/…: error; again …');
    expect(redact('nothing here', 'sk-123')).toBe('nothing here');
  });
});
