import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONNECT_TIMEOUT_MS, ICE_DISCONNECTED_GRACE_MS, judgeTransport, TransportWatchdog } from './transport-watchdog.js';

/** The part of a WebRtcTransport the watchdog reads: its states, their change events, and its close. */
class FakeTransport extends EventEmitter {
  readonly observer = new EventEmitter();
  dtlsState: types.DtlsState = 'new';
  iceState: types.IceState = 'new';

  set(states: { dtls?: types.DtlsState; ice?: types.IceState }): void {
    if (states.ice) {
      this.iceState = states.ice;
      this.emit('icestatechange', states.ice);
    }
    if (states.dtls) {
      this.dtlsState = states.dtls;
      this.emit('dtlsstatechange', states.dtls);
    }
  }
}

/** A watchdog on a fresh transport (with the DTLS state it starts in), and what it has reported so far. */
function watch(dtlsState: types.DtlsState = 'new') {
  const transport = new FakeTransport();
  transport.dtlsState = dtlsState;
  const watchdog = new TransportWatchdog(transport as unknown as types.WebRtcTransport, 'viewer');
  let lost: string | undefined;
  void watchdog.lost.then((reason) => (lost = reason));
  let connected: string | undefined;
  watchdog.connected.then(
    () => (connected = 'yes'),
    (err: Error) => (connected = err.message),
  );
  return { transport, reports: () => ({ lost, connected }) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('judgeTransport', () => {
  it('loses a connection at once on a DTLS failure or close and on ICE closed', () => {
    expect(judgeTransport('publisher', 'failed', 'connected')).toEqual({ kind: 'lost', reason: 'the publisher connection failed (DTLS)' });
    expect(judgeTransport('viewer', 'closed', 'completed')).toEqual({ kind: 'lost', reason: 'the viewer connection closed (DTLS)' });
    expect(judgeTransport('publisher', 'connected', 'closed')).toEqual({ kind: 'lost', reason: 'the publisher connection closed (ICE)' });
  });

  it('puts a connection at risk while ICE is disconnected, and finds it fine otherwise', () => {
    expect(judgeTransport('publisher', 'connected', 'disconnected')).toEqual({ kind: 'at-risk', reason: 'the publisher connection was lost (ICE)' });
    for (const dtls of ['new', 'connecting', 'connected'] as const) {
      for (const ice of ['new', 'connected', 'completed'] as const) expect(judgeTransport('viewer', dtls, ice)).toEqual({ kind: 'ok' });
    }
  });
});

describe('TransportWatchdog', () => {
  it('reports the connection once DTLS connects, and no loss before the deadline', async () => {
    const { transport, reports } = watch();
    transport.set({ ice: 'completed', dtls: 'connected' });
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS * 2);
    expect(reports()).toEqual({ lost: undefined, connected: 'yes' });
  });

  it('loses a client that does not connect within the deadline', async () => {
    const { reports } = watch();
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 1);
    expect(reports().lost).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    const reason = 'the viewer did not connect within 15 s';
    expect(reports()).toEqual({ lost: reason, connected: reason });
  });

  it('gives a disconnected ICE its grace period, and forgives it when ICE comes back', async () => {
    const { transport, reports } = watch();
    transport.set({ ice: 'completed', dtls: 'connected' });
    transport.set({ ice: 'disconnected' });
    await vi.advanceTimersByTimeAsync(ICE_DISCONNECTED_GRACE_MS - 1);
    transport.set({ ice: 'completed' });
    await vi.advanceTimersByTimeAsync(ICE_DISCONNECTED_GRACE_MS * 2);
    expect(reports().lost).toBeUndefined();
    transport.set({ ice: 'disconnected' });
    await vi.advanceTimersByTimeAsync(ICE_DISCONNECTED_GRACE_MS);
    expect(reports().lost).toBe('the viewer connection was lost (ICE)');
  });

  it('judges the states the transport already had, and reports only the first loss', async () => {
    const { transport, reports } = watch('failed');
    transport.set({ ice: 'closed' });
    await vi.advanceTimersByTimeAsync(0);
    const reason = 'the viewer connection failed (DTLS)';
    expect(reports()).toEqual({ lost: reason, connected: reason });
  });

  it('takes no transport close for a loss, and stops listening then', async () => {
    const { transport, reports } = watch();
    transport.observer.emit('close');
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS * 2);
    expect(reports()).toEqual({ lost: undefined, connected: 'the transport closed before it connected' });
    expect(transport.listenerCount('dtlsstatechange') + transport.listenerCount('icestatechange')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
