import { WEBRTC_CONNECT_TIMEOUT_MS } from '../../../shared/constants.js';
import { refusalReason, SDP_CONTENT_TYPE } from '../../../shared/whip.js';
import { Emitter } from '../emitter.js';
import type { EngineEvents, PlaybackEngine, QualityLevel } from './playback-engine.js';
import { videoLevel } from './video-level.js';

/** A broadcast still starting after the server's own wait is answered 503 with Retry-After: how many times to ask again. */
const MAX_RETRIES = 10;

/**
 * Real-time playback over WHEP: one recvonly offer POSTed to the livestream's WHEP endpoint, the media
 * straight from the SFU into the <video>. No ladder and no rung to pick: with simulcast the server
 * chooses the layer. The broadcast's end shows as the connection going quiet; the owner learns it
 * from the livestream's status. Failures are reported, so that the owner can fall back to HLS.
 */
export class WhepEngine implements PlaybackEngine {
  readonly kind = 'whep';
  readonly events = new Emitter<EngineEvents>();
  readonly library: { pc: RTCPeerConnection };
  private readonly pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  private readonly aborter = new AbortController();
  private session: string | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private destroyed = false;
  private readonly onResize = () => this.events.emit('levelSwitched', this.currentLevel());
  /** A closed tab sends no goodbye over WebRTC: without this the server notices only at its ICE timeout. */
  private readonly onPageHide = () => this.deleteSession();

  constructor(
    private readonly video: HTMLVideoElement,
    url: string,
  ) {
    this.library = { pc: this.pc };
    this.pc.addTransceiver('video', { direction: 'recvonly' });
    this.pc.addTransceiver('audio', { direction: 'recvonly' });
    this.pc.addEventListener('track', () => {
      video.srcObject = new MediaStream(this.pc.getReceivers().map((r) => r.track));
      video.play().catch(() => {
        // Autoplay refused: the page's play control takes over.
      });
    });
    this.pc.addEventListener('connectionstatechange', () => {
      const state = this.pc.connectionState;
      if (state === 'connected') clearTimeout(this.connectTimer);
      else if (state === 'failed') this.fail('the real-time connection failed');
    });
    video.addEventListener('resize', this.onResize);
    window.addEventListener('pagehide', this.onPageHide);
    this.negotiate(url).catch((error: unknown) => this.fail(error instanceof Error ? error.message : String(error)));
  }

  levels(): QualityLevel[] {
    return [];
  }

  selectLevel(): void {
    // The server picks the simulcast layer.
  }

  currentLevel(): QualityLevel | null {
    return videoLevel(this.video, 'whep');
  }

  /**
   * Unknown: WebRTC carries no wall-clock time the viewer could trust (the RTCP sender reports mediasoup
   * forwards are not on the publisher's wall clock). bench/whep-latency.ts measures it glass to glass.
   */
  latencySeconds(): number | null {
    return null;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.events.clear();
    clearTimeout(this.connectTimer);
    this.aborter.abort();
    this.video.removeEventListener('resize', this.onResize);
    window.removeEventListener('pagehide', this.onPageHide);
    this.pc.close();
    this.video.srcObject = null;
    this.deleteSession();
  }

  /** Frees the server's side at once instead of after its connection timeout; keepalive outlives the page. */
  private deleteSession(): void {
    const session = this.session;
    this.session = null;
    if (session) void fetch(session, { method: 'DELETE', keepalive: true }).catch(() => undefined);
  }

  private async negotiate(url: string): Promise<void> {
    await this.pc.setLocalDescription();
    // The server is ICE-lite and puts every candidate in its answer: the offer needs none of ours.
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': SDP_CONTENT_TYPE },
        body: this.pc.localDescription!.sdp,
        signal: this.aborter.signal,
      });
      const body = await response.text();
      const retryAfterS = Number(response.headers.get('retry-after'));
      if (response.status === 503 && retryAfterS > 0 && attempt < MAX_RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, retryAfterS * 1000));
        if (this.destroyed) return;
        continue;
      }
      if (response.status !== 201) throw new Error(refusalReason(body) ?? `the server answered ${response.status}`);
      const location = response.headers.get('location');
      if (location) this.session = new URL(location, response.url).href;
      if (this.destroyed) return;
      await this.pc.setRemoteDescription({ type: 'answer', sdp: body });
      if (this.pc.connectionState !== 'connected') {
        this.connectTimer = setTimeout(() => this.fail('the real-time connection could not be established'), WEBRTC_CONNECT_TIMEOUT_MS);
      }
      return;
    }
  }

  private fail(reason: string): void {
    if (this.destroyed) return;
    this.events.emit('failed', reason);
  }
}
