import type { types } from 'mediasoup';
import type { Config } from '../config.js';
import { createRtcTransport } from '../sfu/rtc-transport.js';
import { SdpError, type Offer } from './sdp-offer.js';

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
