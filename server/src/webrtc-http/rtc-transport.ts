import type { types } from 'mediasoup';
import { WEBRTC_CONNECT_TIMEOUT_MS } from '../../../shared/constants.js';
import type { Config } from '../config.js';
import { SdpError, type Offer } from './sdp-offer.js';

/** A client that got its answer must complete ICE and DTLS within this time (the clients wait as long), or everything is released. */
export const CONNECT_TIMEOUT_MS = WEBRTC_CONNECT_TIMEOUT_MS;

/** The WebRtcTransport a publisher or viewer connects to: UDP preferred, TCP for networks that block UDP. */
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
 * The transport of a WHIP or WHEP session, connected with the offerer's DTLS role and fingerprint: what
 * mediasoup refuses there is the offer's fault (SdpError), and the transport is closed again.
 */
export async function createOfferTransport(router: types.Router, rtc: Config['rtc'], offer: Offer): Promise<types.WebRtcTransport> {
  const transport = await createRtcTransport(router, rtc);
  try {
    await transport.connect({ dtlsParameters: offer.dtls });
  } catch (err) {
    transport.close();
    throw new SdpError(`unusable DTLS parameters: ${err instanceof Error ? err.message : String(err)}`);
  }
  return transport;
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
