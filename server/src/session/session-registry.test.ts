import { describe, expect, it } from 'vitest';
import { IdleSession, idleIngest } from '../../test/fixtures/idle-session.js';
import { AlreadyLiveError, SessionRegistry } from './session-registry.js';

const registry = () => new SessionRegistry((id) => new IdleSession(id));

describe('SessionRegistry', () => {
  it('holds a livestream for one publisher from reservation to the end of its broadcast', async () => {
    const r = registry();
    const held = r.reserve('ls-1');
    expect(r.isLive('ls-1')).toBe(true);
    expect(() => r.reserve('ls-1')).toThrow(AlreadyLiveError);
    const session = held.start(idleIngest);
    expect(r.get('ls-1')).toBe(session);
    expect(() => held.start(idleIngest)).toThrow(/no longer valid/);
    await session.stop('done');
    expect(r.isLive('ls-1')).toBe(false);
    expect(r.get('ls-1')).toBeUndefined();
    r.reserve('ls-1').release();
  });

  it('frees a livestream whose publisher gave up before starting', () => {
    const r = registry();
    const held = r.reserve('ls-1');
    held.release();
    held.release();
    expect(r.isLive('ls-1')).toBe(false);
    expect(() => held.start(idleIngest)).toThrow(/no longer valid/);
  });

  it('ends a broadcast, or revokes a publisher still negotiating (a deleted livestream)', async () => {
    const r = registry();
    const session = r.reserve('live').start(idleIngest) as IdleSession;
    await r.end('live', 'livestream deleted');
    expect(session.stopReason).toBe('livestream deleted');
    expect(r.isLive('live')).toBe(false);

    const negotiating = r.reserve('negotiating');
    await r.end('negotiating', 'livestream deleted');
    expect(r.isLive('negotiating')).toBe(false);
    expect(() => negotiating.start(idleIngest)).toThrow('livestream deleted');
    await r.end('nothing-here', 'livestream deleted');
  });
});
