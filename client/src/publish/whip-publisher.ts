import { WEBRTC_CONNECT_TIMEOUT_MS } from '../../../shared/constants.js';
import { whipPath } from '../../../shared/public-paths.js';
import { readRefusal, SDP_CONTENT_TYPE } from '../../../shared/whip.js';
import { getPublicLivestream } from '../api.js';
import { PublishError, type PublishRequest, type VideoCodecChoice } from './publisher.js';
import { PublisherBase } from './publisher-base.js';
import { connectionLost, refusedBy, serverUnreachable, startCancelled } from './publish-failure.js';
import { cannotSend, isCodec, keepResolution, videoEncodings } from './video-sender.js';

/** How often the broadcast's progress is read while publishing (the livestream's status in the API). */
const FOLLOW_MS = 1000;

const messages = {
  noMedia: 'The media connection to the server could not be established (a firewall may block WebRTC).',
  endedByServer: 'the server ended it',
};

/**
 * The studio's other publisher: one standard WHIP request (RFC 9725), the way OBS and other WHIP clients
 * publish, so a browser exercises the endpoint. The server is ICE-lite with every candidate in its
 * answer, so the offer goes out at once, without waiting for or trickling local candidates. WHIP has
 * no channel for the server's news, so the broadcast's progress is read where viewers see it: live once
 * the livestream's status reads live (playable), ended once it reads offline.
 */
export class WhipPublisher extends PublisherBase {
  private pc: RTCPeerConnection | null = null;
  private readonly senders = new Map<'audio' | 'video', RTCRtpSender>();
  private session: { url: string; token: string } | null = null;
  private readonly aborter = new AbortController();
  private followTimer: ReturnType<typeof setTimeout> | undefined;
  /** A closed tab sends no goodbye over WebRTC: without this the broadcast would run on until the ICE timeout. */
  private readonly onPageHide = () => void this.end();

  protected async negotiate(request: PublishRequest): Promise<void> {
    window.addEventListener('pagehide', this.onPageHide);
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    this.pc = pc;
    const video = pc.addTransceiver(request.video, { direction: 'sendonly', sendEncodings: videoEncodings(request) });
    video.setCodecPreferences(codecPreferences(request.videoCodec));
    this.senders.set('video', video.sender);
    if (request.audio) this.senders.set('audio', pc.addTransceiver(request.audio, { direction: 'sendonly' }).sender);
    await keepResolution(video.sender);
    await pc.setLocalDescription();
    const answer = await this.offer(request, pc.localDescription!.sdp);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await connected(pc, this.aborter.signal);
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') this.fail(connectionLost());
    });
    this.follow(request.livestreamId);
  }

  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack): Promise<void> {
    await this.senders.get(kind)?.replaceTrack(track);
  }

  protected async statsReports(): Promise<RTCStatsReport[]> {
    const report = await this.pc?.getStats();
    return report ? [report] : [];
  }

  /** Not awaited, so the broadcast reads ended at once: keepalive carries the DELETE past a closing tab. */
  protected async sayGoodbye(): Promise<void> {
    const session = this.session;
    if (!session) return;
    void fetch(session.url, { method: 'DELETE', headers: { authorization: `Bearer ${session.token}` }, keepalive: true }).catch(() => undefined);
  }

  /** POSTs the offer; returns the answer and remembers the session's URL. */
  private async offer(request: PublishRequest, sdp: string): Promise<string> {
    let response: Response;
    try {
      response = await fetch(whipPath(request.livestreamId), {
        method: 'POST',
        headers: { authorization: `Bearer ${request.streamKey}`, 'content-type': SDP_CONTENT_TYPE },
        body: sdp,
        signal: this.aborter.signal,
      });
    } catch {
      throw serverUnreachable();
    }
    const body = await response.text();
    if (response.status !== 201) throw refusedBy(readRefusal(body) ?? { error: `The server answered ${response.status}.` });
    const location = response.headers.get('location');
    if (location) this.session = { url: new URL(location, response.url).href, token: request.streamKey };
    return body;
  }

  /** Reads, until the broadcast ends, whether it is live yet and whether the server ended it. */
  private follow(livestreamId: string): void {
    const check = async () => {
      const info = await getPublicLivestream(livestreamId).catch(() => null);
      if (this.currentState === 'ended') return;
      if (info?.status === 'offline') {
        this.endedByServer(messages.endedByServer);
        return;
      }
      if (info?.status === 'live' && this.currentState === 'starting') this.setState('live');
      this.followTimer = setTimeout(() => void check(), FOLLOW_MS);
    };
    this.followTimer = setTimeout(() => void check(), FOLLOW_MS);
  }

  protected release(): void {
    window.removeEventListener('pagehide', this.onPageHide);
    clearTimeout(this.followTimer);
    this.aborter.abort();
    this.pc?.close();
    this.pc = null;
    this.senders.clear();
  }
}

/** Only the chosen codec (each profile the browser has, and RTX): the server takes the first it supports. */
function codecPreferences(choice: VideoCodecChoice): RTCRtpCodec[] {
  const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
  const chosen = codecs.filter((c) => isCodec(c.mimeType, choice));
  if (chosen.length === 0) throw cannotSend(choice);
  return [...chosen, ...codecs.filter((c) => c.mimeType.toLowerCase() === 'video/rtx')];
}

function connected(pc: RTCPeerConnection, cancelled: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: PublishError) => {
      clearTimeout(timer);
      pc.removeEventListener('connectionstatechange', onState);
      cancelled.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onState = () => {
      if (pc.connectionState === 'connected') done();
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') done(new PublishError('unreachable', messages.noMedia));
    };
    const onAbort = () => done(startCancelled());
    const timer = setTimeout(() => done(new PublishError('unreachable', messages.noMedia)), WEBRTC_CONNECT_TIMEOUT_MS);
    pc.addEventListener('connectionstatechange', onState);
    cancelled.addEventListener('abort', onAbort);
    onState();
  });
}
