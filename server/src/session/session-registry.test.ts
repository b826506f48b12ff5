import { describe, expect, it } from 'vitest';
import type { BroadcastClaims } from '../cluster/broadcast-claims.js';
import { IdleSession, idleIngest } from '../../test/fixtures/idle-session.js';
import { AlreadyLiveError, CLAIM_LOST_REASON, SessionRegistry } from './session-registry.js';

const registry = () => new SessionRegistry((id) => new IdleSession(id));

/** Claims that grant every livestream but `elsewhere` (live on another node), recording what they are told. */
function fakeClaims() {
  const told = { playable: [] as string[], released: [] as string[] };
  let lost: (id: string) => void = () => undefined;
  const claims: BroadcastClaims = {
    claim: async (id) => id !== 'elsewhere',
    markPlayable: async (id) => void told.playable.push(id),
    release: async (id) => void told.released.push(id),
    hostOf: async (id) => (id === 'elsewhere' ? { nodeId: 'n2', url: 'http://127.0.0.1:9', playable: true } : undefined),
    onLost: (listener) => (lost = listener),
  };
  return { claims, told, lose: (id: string) => lost(id) };
}

describe('SessionRegistry', () => {
  it('holds a livestream for one publisher from reservation to the end of its broadcast', async () => {
    const r = registry();
    const held = await r.reserve('ls-1');
    expect(r.isLive('ls-1')).toBe(true);
    await expect(r.reserve('ls-1')).rejects.toThrow(AlreadyLiveError);
    const session = await held.start(idleIngest);
    expect(r.get('ls-1')).toBe(session);
    await expect(held.start(idleIngest)).rejects.toThrow(/no longer valid/);
    await session.stop('done');
    expect(r.isLive('ls-1')).toBe(false);
    expect(r.get('ls-1')).toBeUndefined();
    (await r.reserve('ls-1')).release();
  });

  it('frees a livestream whose publisher gave up before starting', async () => {
    const r = registry();
    const held = await r.reserve('ls-1');
    held.release();
    held.release();
    expect(r.isLive('ls-1')).toBe(false);
    await expect(held.start(idleIngest)).rejects.toThrow(/no longer valid/);
  });

  it('ends a broadcast, or revokes a publisher still negotiating (a deleted livestream)', async () => {
    const r = registry();
    const session = (await (await r.reserve('live')).start(idleIngest)) as IdleSession;
    await r.end('live', 'livestream deleted');
    expect(session.stopReason).toBe('livestream deleted');
    expect(r.isLive('live')).toBe(false);

    const negotiating = await r.reserve('negotiating');
    await r.end('negotiating', 'livestream deleted');
    expect(r.isLive('negotiating')).toBe(false);
    await expect(negotiating.start(idleIngest)).rejects.toThrow('livestream deleted');
    await r.end('nothing-here', 'livestream deleted');
  });

  it('refuses with a code: a second publisher, one more than it may run, a publisher whose livestream was ended meanwhile', async () => {
    const r = new SessionRegistry((id) => new IdleSession(id), undefined, 1);
    const held = await r.reserve('ls-1');
    expect(r.size).toBe(1);
    await expect(r.reserve('ls-1')).rejects.toThrow(expect.objectContaining({ code: 'already_live' }));
    await expect(r.reserve('ls-2')).rejects.toThrow(expect.objectContaining({ code: 'at_capacity', retryAfterS: 30 }));
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
    const starting = (await r.reserve('ls-1')).start(idleIngest);
    await r.end('ls-1', 'livestream deleted');
    made();
    await expect(starting).rejects.toThrow(expect.objectContaining({ code: 'kicked', message: 'livestream deleted' }));
    expect(r.isLive('ls-1')).toBe(false);
    expect(r.get('ls-1')).toBeUndefined();

    const broken = (await r.reserve('broken')).start(idleIngest);
    made();
    await expect(broken).rejects.toThrow('the store is down');
    expect(r.isLive('broken')).toBe(false);
  });

  it('decides the status: starting from the reservation, live once the session is playable, and tells the claims', async () => {
    const { claims, told } = fakeClaims();
    const r = new SessionRegistry((id) => new IdleSession(id), claims);
    expect(await r.status('ls-1')).toBe('offline');
    expect(await r.status('elsewhere')).toBe('live');
    await expect(r.reserve('elsewhere')).rejects.toThrow(AlreadyLiveError);
    expect(r.isLive('elsewhere')).toBe(false);
    const held = await r.reserve('ls-1');
    expect(await r.status('ls-1')).toBe('starting');
    const session = (await held.start(idleIngest)) as IdleSession;
    session.state = 'starting';
    expect(await r.status('ls-1')).toBe('starting');
    session.state = 'live';
    session.emit('state', 'live');
    expect(await r.status('ls-1')).toBe('live');
    expect(told.playable).toEqual(['ls-1']);
    await session.stop('done');
    expect(await r.status('ls-1')).toBe('offline');
    expect(told.released).toEqual(['ls-1']);
  });

  it('ends a broadcast whose claim was lost, and a publisher still negotiating', async () => {
    const { claims, lose } = fakeClaims();
    const r = new SessionRegistry((id) => new IdleSession(id), claims);
    const session = (await (await r.reserve('live')).start(idleIngest)) as IdleSession;
    const negotiating = await r.reserve('negotiating');
    lose('live');
    lose('negotiating');
    await Promise.resolve();
    expect(session.stopReason).toBe(CLAIM_LOST_REASON);
    await expect(negotiating.start(idleIngest)).rejects.toThrow(CLAIM_LOST_REASON);
    expect(r.size).toBe(0);
  });
});
