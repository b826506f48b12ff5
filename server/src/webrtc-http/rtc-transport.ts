import type { types } from 'mediasoup';
import type { Config } from '../config.js';

/** The WebRtcTransport of a WHIP publisher or a WHEP viewer: UDP preferred, TCP for networks that block UDP. */
export function createRtcTransport(router: types.Router, rtc: Config['rtc']): Promise<types.WebRtcTransport> {
  const listen = { ip: rtc.listenIp, announcedAddress: rtc.announcedAddress, portRange: { min: rtc.minPort, max: rtc.maxPort } };
  return router.createWebRtcTransport({
    listenInfos: [
      { protocol: 'udp', ...listen },
      { protocol: 'tcp', ...listen },
    ],
    enableUdp: true,
    enableTcp: true,
    preferUdp: true,
  });
}

/**
 * Resolves once the client's DTLS handshake completes; rejects when it fails, the transport closes, or
 * `timeoutMs` passes first (a client that got its answer and never connected must not hold anything).
 */
export function waitForDtls(transport: types.WebRtcTransport, timeoutMs: number): Promise<void> {
  if (transport.dtlsState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      transport.off('dtlsstatechange', onState);
      transport.observer.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onState = (state: types.DtlsState) => {
      if (state === 'connected') done();
      else if (state === 'failed' || state === 'closed') done(new Error(`the DTLS handshake ${state}`));
    };
    const onClose = () => done(new Error('the transport closed before it connected'));
    const timer = setTimeout(() => done(new Error(`the client did not connect within ${timeoutMs / 1000} s`)), timeoutMs);
    transport.on('dtlsstatechange', onState);
    transport.observer.once('close', onClose);
  });
}
