import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebhookEventType } from '../../../shared/webhooks.js';
import type { LiveSession, StreamSessionEvents } from '../session/stream-session.js';
import { announceBroadcast } from './broadcast-events.js';

/** The parts of a broadcast the announcements read: its identity and its events. */
function broadcast() {
  const events = new EventEmitter<StreamSessionEvents>();
  const session = Object.assign(events, {
    livestreamId: 'ls-0123456789',
    broadcastId: 'bxyz0001',
    startedAt: new Date('2026-12-01T10:00:00.000Z'),
    protocol: 'rtmp',
  }) as unknown as LiveSession & { broadcastId: string; startedAt: Date };
  const emitted: { type: WebhookEventType; data: unknown }[] = [];
  announceBroadcast(session, (type, data) => void emitted.push({ type, data }));
  return { events, emitted };
}

describe('broadcast announcements', () => {
  it('announce the start once the broadcast is live, and its end with the reason', () => {
    const { events, emitted } = broadcast();
    events.emit('state', 'starting');
    expect(emitted).toEqual([]);
    events.emit('state', 'live');
    events.emit('state', 'ended');
    events.emit('ended', 'the publisher left');
    expect(emitted.map((e) => e.type)).toEqual(['livestream.started', 'livestream.ended']);
    expect(emitted[0]!.data).toEqual({ livestreamId: 'ls-0123456789', broadcastId: 'bxyz0001', protocol: 'rtmp', startedAt: '2026-12-01T10:00:00.000Z' });
    expect(emitted[1]!.data).toMatchObject({ broadcastId: 'bxyz0001', reason: 'the publisher left', startedAt: '2026-12-01T10:00:00.000Z' });
  });

  it('announce each health warning with its code and its words', () => {
    const { events, emitted } = broadcast();
    events.emit('warning', { code: 'no_audio', message: 'No audio arrives.' });
    expect(emitted).toEqual([
      { type: 'livestream.health.warning', data: { livestreamId: 'ls-0123456789', broadcastId: 'bxyz0001', code: 'no_audio', warning: 'No audio arrives.' } },
    ]);
  });

  it('say nothing of a broadcast that ended before it was ever live', () => {
    const { events, emitted } = broadcast();
    events.emit('state', 'starting');
    events.emit('ended', 'the transcoder could not start');
    expect(emitted).toEqual([]);
  });
});
