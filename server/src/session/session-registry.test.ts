import { describe, expect, it } from 'vitest';
import { IdleSession, idleIngest } from '../../test/fixtures/idle-session.js';
import { AlreadyLiveError, SessionRegistry, type LiveClaimStore } from './session-registry.js';

const registry = () => new SessionRegistry((id) => new IdleSession(id));

describe('SessionRegistry', () => {
  it('holds a livestream for one publisher from reservation to the end of its broadcast', async () => {
    const r = registry();
    const held = r.reserve('ls-1');
    expect(r.isLive('ls-1')).toBe(true);
    expect(() => r.reserve('ls-1')).toThrow(AlreadyLiveError);
    const session = await held.start(idleIngest);
    expect(r.get('ls-1')).toBe(session);
    await expect(held.start(idleIngest)).rejects.toThrow(/no longer valid/);
    await session.stop('done');
    expect(r.isLive('ls-1')).toBe(false);
    expect(r.get('ls-1')).toBeUndefined();
    r.reserve('ls-1').release();
  });

  it('frees a livestream whose publisher gave up before starting', async () => {
    const r = registry();
    const held = r.reserve('ls-1');
    held.release();
    held.release();
    expect(r.isLive('ls-1')).toBe(false);
    await expect(held.start(idleIngest)).rejects.toThrow(/no longer valid/);
  });

  it('ends a broadcast, or revokes a publisher still negotiating (a deleted livestream)', async () => {
    const r = registry();
    const session = (await r.reserve('live').start(idleIngest)) as IdleSession;
    await r.end('live', 'livestream deleted');
    expect(session.stopReason).toBe('livestream deleted');
    expect(r.isLive('live')).toBe(false);

    const negotiating = r.reserve('negotiating');
    await r.end('negotiating', 'livestream deleted');
    expect(r.isLive('negotiating')).toBe(false);
    await expect(negotiating.start(idleIngest)).rejects.toThrow('livestream deleted');
    await r.end('nothing-here', 'livestream deleted');
  });

  it('refuses with a code: a second publisher, one more than it may run, a publisher whose livestream was ended meanwhile', async () => {
    const r = new SessionRegistry((id) => new IdleSession(id), undefined, 1);
    const held = r.reserve('ls-1');
    expect(() => r.reserve('ls-1')).toThrow(expect.objectContaining({ code: 'already_live' }));
    expect(() => r.reserve('ls-2')).toThrow(expect.objectContaining({ code: 'at_capacity', retryAfterS: 30 }));
    await r.end('ls-1', 'the stream key was rotated');
    await expect(held.start(idleIngest)).rejects.toThrow(expect.objectContaining({ code: 'kicked', message: 'the stream key was rotated' }));
  });

  it('revokes a hold while its session is being made, and frees one whose session could not be made', async () => {
    let made = (): void => undefined;
    const r = new SessionRegistry(async (id) => {
      await new Promise<void>((resolve) => (made = resolve));
      if (id === 'broken') throw new Error('the store is down');
      return new IdleSession(id);
    });
    const starting = r.reserve('ls-1').start(idleIngest);
    await r.end('ls-1', 'livestream deleted');
    made();
    await expect(starting).rejects.toThrow(expect.objectContaining({ code: 'kicked', message: 'livestream deleted' }));
    expect(r.isLive('ls-1')).toBe(false);
    expect(r.get('ls-1')).toBeUndefined();

    const broken = r.reserve('broken').start(idleIngest);
    made();
    await expect(broken).rejects.toThrow('the store is down');
    expect(r.isLive('broken')).toBe(false);
  });

  it('decides the status: starting from the reservation, live once the session is playable, and tells the claims', async () => {
    const playable: string[] = [];
    const claims: LiveClaimStore = {
      claim: () => true,
      markPlayable: (id) => playable.push(id),
      release: () => undefined,
      heldElsewhere: (id) => id === 'elsewhere',
      statusElsewhere: (id) => (id === 'elsewhere' ? 'live' : undefined),
    };
    const r = new SessionRegistry((id) => new IdleSession(id), claims);
    expect(r.status('ls-1')).toBe('offline');
    expect(r.status('elsewhere')).toBe('live');
    const held = r.reserve('ls-1');
    expect(r.status('ls-1')).toBe('starting');
    const session = (await held.start(idleIngest)) as IdleSession;
    session.state = 'starting';
    expect(r.status('ls-1')).toBe('starting');
    session.state = 'live';
    session.emit('state', 'live');
    expect(r.status('ls-1')).toBe('live');
    expect(playable).toEqual(['ls-1']);
    await session.stop('done');
    expect(r.status('ls-1')).toBe('offline');
  });
});
