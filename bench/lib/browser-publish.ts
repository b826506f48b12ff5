import type { types } from 'mediasoup';
import type { Browser } from 'playwright-core';
import { planPublish, produceSection } from '../../server/src/ingest/whip/publish-offer.js';
import { answerOffer } from '../../server/src/webrtc-http/sdp-answer.js';
import { parseOffer } from '../../server/src/webrtc-http/sdp-offer.js';
import { NAME_SHIM } from './canvas-clock.js';

/** What the page sends: one 720p30 H.264 encoding, or three simulcast layers (¼, ½, 1 of the camera). */
export type SendShape = 'single' | 'simulcast';

/** Only a secure context gets the camera; Playwright answers this address itself, so no port is opened. */
const PAGE_URL = 'http://localhost:30999/';

/**
 * The offer Chromium makes for the fake camera at 1280x720, 30 fps, H.264 Constrained Baseline only
 * (what Axon's studio sends when H.264 is chosen), with the simulcast encodings mediasoup-client would use.
 */
function makeOffer(shape: SendShape): Promise<string> {
  const layers =
    shape === 'simulcast'
      ? [
          { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 300_000 },
          { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 900_000 },
          { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 2_500_000 },
        ]
      : [{ maxBitrate: 2_500_000 }];
  const pc = new RTCPeerConnection();
  (window as unknown as { benchPc: RTCPeerConnection }).benchPc = pc;
  return navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 } }).then(async (stream) => {
    const transceiver = pc.addTransceiver(stream.getVideoTracks()[0]!, { direction: 'sendonly', sendEncodings: layers });
    const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
    const baseline = (c: RTCRtpCodec) => /profile-level-id=42e01f/.test(c.sdpFmtpLine ?? '') && /packetization-mode=1/.test(c.sdpFmtpLine ?? '');
    transceiver.setCodecPreferences([...codecs.filter((c) => c.mimeType === 'video/H264' && baseline(c)), ...codecs.filter((c) => c.mimeType === 'video/rtx')]);
    await pc.setLocalDescription(await pc.createOffer());
    return pc.localDescription!.sdp;
  });
}

/**
 * Publishes the fake camera from a Chromium page straight into `router`, the offer mapped onto a
 * producer by Axon's own WHIP code (the same producer a WHIP publish or the studio makes). Returns the
 * video producer once the answer is applied (media flows as soon as ICE and DTLS complete), and how to
 * close the page's window.
 */
export async function publishFromChromium(
  browser: Browser,
  router: types.Router,
  shape: SendShape,
  ports: { min: number; max: number },
): Promise<{ producer: types.Producer; close: () => Promise<void> }> {
  const context = await browser.newContext({ permissions: ['camera'] });
  const page = await context.newPage();
  await page.addInitScript({ content: NAME_SHIM });
  await page.route(PAGE_URL, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>publish</title>' }));
  await page.goto(PAGE_URL);
  const offer = parseOffer(await page.evaluate(makeOffer, shape));
  const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange: ports }] });
  await transport.connect({ dtlsParameters: offer.dtls });
  const video = await produceSection(transport, planPublish(offer).video, router.rtpCapabilities);
  const { answer } = answerOffer(transport, offer, [video.answer]);
  await page.evaluate((sdp) => (window as unknown as { benchPc: RTCPeerConnection }).benchPc.setRemoteDescription({ type: 'answer', sdp }), answer);
  return { producer: video.producer, close: () => context.close() };
}
