import { describe, expect, it } from 'vitest';
import { maskStreamKey, restreamView } from './restream-view.js';

describe('restream view', () => {
  it('shows the last 4 characters of a key, and nothing of a short one', () => {
    expect(maskStreamKey('live_1234_abcdefgh')).toBe('…efgh');
    expect(maskStreamKey('12345678')).toBe('…');
  });

  it('never carries the key, and is idle without a push', () => {
    const record = { id: 'rs_x', livestreamId: 'l', name: 'n', url: 'rtmp://h/app', streamKey: 'the-secret-key', enabled: true, createdAt: 't' };
    const view = restreamView(record, undefined);
    expect(JSON.stringify(view)).not.toContain('the-secret-key');
    expect(view).toMatchObject({ status: 'idle', reason: null, source: null, bitrateOut: null, uptimeS: null });
  });
});
