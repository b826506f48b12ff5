import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { capturedLogger } from '../test/fixtures/captured-log.js';
import { REDACTED, withoutUrlSecrets } from './log-redaction.js';

const STREAM_KEY = 'sk_live_9f8e7d6c5b4a3210';
const TOKEN = 'admin-token-0123456789abcdef';
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** What a server process writes on stdout: `lines` logged by this module after setLogFormat(`format`). */
function processOutput(format: 'json' | 'pretty', script: string): string {
  const program = `
    import { createLogger, setLogFormat, setLogLevel } from './server/src/log.ts';
    setLogLevel('debug');
    setLogFormat('${format}');
    const log = createLogger('axon');
    ${script}
  `;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { encoding: 'utf8' });
}

describe('process logs', () => {
  it('writes one JSON line per event with level, time, component and msg, errors serialised', () => {
    const out = processOutput('json', `
      log.child('session').child('ls1').info('broadcast is live', { height: 720 });
      log.child('http').error('request failed', { err: new Error('disk full') });
      log.debug('100% of %s kept as written');
    `);
    const lines = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 'info', component: 'axon:session:ls1', msg: 'broadcast is live', height: 720 });
    expect(new Date(String(lines[0]!.time)).toISOString()).toBe(lines[0]!.time);
    expect(lines[1]).toMatchObject({ level: 'error', component: 'axon:http', err: { type: 'Error', message: 'disk full' } });
    expect(String((lines[1]!.err as { stack: string }).stack)).toContain('Error: disk full');
    expect(lines[2]).toMatchObject({ level: 'debug', msg: '100% of %s kept as written' });
  });

  it('writes lines for a person in pretty mode, not JSON, still redacted', () => {
    const out = processOutput('pretty', `
      log.child('rtmp').warn('publisher dropped', { url: 'rtmp://example.com/live/${STREAM_KEY}' });
    `);
    expect(out).toMatch(/WARN.*\[axon:rtmp\] publisher dropped/);
    expect(out).toContain(`rtmp://example.com/live/${REDACTED}`);
    expect(out).not.toContain(STREAM_KEY);
    expect(() => JSON.parse(out.split('\n')[0]!)).toThrow();
  });
});

describe('redaction', () => {
  it('keeps secrets in the fields that may carry them out of every line', () => {
    const log = capturedLogger();
    log.child('rtmp').info('publish', { url: `rtmp://127.0.0.1:1935/live/${STREAM_KEY}`, tcUrl: `rtmp://127.0.0.1/live?key=${STREAM_KEY}` });
    log.info('livestream', { livestream: { id: 'ls1', streamKey: STREAM_KEY } });
    log.info('api', { authorization: `Bearer ${TOKEN}`, headers: { authorization: `Bearer ${TOKEN}` }, token: TOKEN });
    log.warn('webhook delivery failed', { webhook: { url: 'https://hooks.example.com/in?sig=abc', secret: WEBHOOK_SECRET }, password: 'hunter2' });
    const text = log.lines.map((line) => line.text).join('\n');
    for (const secret of [STREAM_KEY, TOKEN, WEBHOOK_SECRET, 'hunter2', 'sig=abc']) expect(text).not.toContain(secret);
    expect(log.lines[0]!.json).toMatchObject({ url: `rtmp://127.0.0.1:1935/live/${REDACTED}`, tcUrl: `rtmp://127.0.0.1/live?${REDACTED}` });
    expect(log.lines[1]!.json).toMatchObject({ livestream: { id: 'ls1', streamKey: REDACTED } });
    expect(log.lines[3]!.json).toMatchObject({ webhook: { url: `https://hooks.example.com/in?${REDACTED}`, secret: REDACTED } });
  });

  it('keeps what is safe in a URL: host, the RTMP application, a path', () => {
    expect(withoutUrlSecrets('redis://:pa55@redis.local:6379/0')).toBe('redis://:***@redis.local:6379/0');
    expect(withoutUrlSecrets('rtmps://host:1936/live')).toBe('rtmps://host:1936/live');
    // A key pasted as the application is a key all the same.
    expect(withoutUrlSecrets(`rtmp://host/${STREAM_KEY}/x`)).toBe(`rtmp://host/${REDACTED}`);
    expect(withoutUrlSecrets('/live/ls1/master.m3u8?token=x')).toBe(`/live/ls1/master.m3u8?${REDACTED}`);
    expect(withoutUrlSecrets(42)).toBe(REDACTED);
  });
});
