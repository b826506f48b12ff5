import type { types } from 'mediasoup';
import type { Config } from '../config.js';

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
