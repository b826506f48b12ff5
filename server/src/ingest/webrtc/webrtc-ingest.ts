import type { types } from 'mediasoup';
import type { IngestSource, MediaInput, RealtimeMedia, SourceVideo } from '../../session/ingest.js';
import { openRtpInput } from './rtp-input.js';
import type { PortRange } from './udp-ports.js';

/** How long ICE may stay disconnected (e.g. a network change the browser may recover from). */
export const ICE_DISCONNECTED_GRACE_MS = 5000;

export interface WebRtcIngestOptions {
  /** 'webrtc' (the studio's signalling, the default) or 'whip'. */
  protocol?: 'webrtc' | 'whip';
  /** The broadcast's own router: closing the ingest closes it. */
  router: types.Router;
  /** The publisher's transport, watched for ICE/DTLS failure. */
  transport: types.WebRtcTransport;
  video: types.Producer;
  audio?: types.Producer;
  /** Capture size reported by the publisher or read from its first key frame (validated at the edge). */
  size: SourceVideo;
  /** mediasoup's port range, which FFmpeg's RTP ports stay out of. */
  rtcPorts: PortRange;
}

/** A broadcast published over WebRTC into a mediasoup router, handed to FFmpeg as plain RTP. */
export class WebRtcIngest implements IngestSource {
  readonly protocol: 'webrtc' | 'whip';
  readonly video: SourceVideo;
  readonly realtime: RealtimeMedia;
  private readonly endedListeners: Array<(reason: string) => void> = [];
  private endReason: string | undefined;
  private closed = false;
  private iceTimer: NodeJS.Timeout | undefined;
  private closeCheck: NodeJS.Immediate | undefined;
  private workerDied = false;
  private readonly inputs = new Set<MediaInput>();

  constructor(private readonly o: WebRtcIngestOptions) {
    this.protocol = o.protocol ?? 'webrtc';
    this.video = { ...o.size };
    this.realtime = { router: o.router, video: o.video, ...(o.audio && { audio: o.audio }) };
    const { router, transport } = o;
    // Closing a router closes its transports, which close their producers, all in one go: the reason
    // is worked out once that is over, from the outermost object that closed.
    const onClose = () => {
      this.closeCheck ??= setImmediate(() => this.end(this.closeReason()));
    };
    router.once('workerclose', () => (this.workerDied = true));
    router.observer.once('close', onClose);
    transport.observer.once('close', onClose);
    for (const producer of this.producers()) producer.observer.once('close', onClose);
    transport.on('dtlsstatechange', (state) => this.onDtlsState(state));
    transport.on('icestatechange', (state) => this.onIceState(state));
    // The publisher may have dropped while it was still negotiating.
    this.onDtlsState(transport.dtlsState);
    this.onIceState(transport.iceState);
  }

  async openInput(): Promise<MediaInput> {
    if (this.closed || this.endReason !== undefined) throw new Error('the WebRTC ingest has ended');
    const input = await openRtpInput({
      router: this.o.router,
      video: this.o.video,
      audio: this.o.audio,
      rtcPorts: this.o.rtcPorts,
    });
    if (this.closed) {
      await input.close();
      throw new Error('the WebRTC ingest was closed');
    }
    this.inputs.add(input);
    return {
      ...input,
      close: async () => {
        this.inputs.delete(input);
        await input.close();
      },
    };
  }

  onEnded(listener: (reason: string) => void): void {
    if (this.endReason === undefined) this.endedListeners.push(listener);
    else {
      const reason = this.endReason;
      queueMicrotask(() => listener(reason));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.iceTimer);
    clearImmediate(this.closeCheck);
    await Promise.all([...this.inputs].map((input) => input.close()));
    this.inputs.clear();
    this.o.router.close();
  }

  private producers(): types.Producer[] {
    return this.o.audio ? [this.o.video, this.o.audio] : [this.o.video];
  }

  private closeReason(): string {
    if (this.workerDied) return 'the media worker died';
    if (this.o.router.closed) return 'the media router closed';
    if (this.o.transport.closed) return 'the publisher transport closed';
    const track = this.producers().find((p) => p.closed);
    return `the ${track?.kind ?? 'media'} track ended`;
  }

  private onDtlsState(state: types.DtlsState): void {
    if (state === 'failed' || state === 'closed') this.end(`the publisher connection ${state} (DTLS)`);
  }

  private onIceState(state: types.IceState): void {
    if (state === 'disconnected') {
      this.iceTimer ??= setTimeout(() => this.end('the publisher connection was lost (ICE)'), ICE_DISCONNECTED_GRACE_MS);
    } else {
      clearTimeout(this.iceTimer);
      this.iceTimer = undefined;
      if (state === 'closed') this.end('the publisher connection closed (ICE)');
    }
  }

  /** Reports the publisher gone, once; not when the server itself closed the ingest. */
  private end(reason: string): void {
    if (this.closed || this.endReason !== undefined) return;
    this.endReason = reason;
    clearTimeout(this.iceTimer);
    clearImmediate(this.closeCheck);
    for (const listener of this.endedListeners.splice(0)) listener(reason);
  }
}
