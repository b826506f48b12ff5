import type { PublicLivestream } from '../../../shared/livestream.js';
import { ApiError } from '../api.js';
import { Emitter } from '../emitter.js';
import type { PublishRefusalCode } from '../../../shared/publish-refusal.js';
import { PublishError, type Publisher, type PublisherState, type VideoCodecChoice } from '../publish/publisher.js';
import { cameraSize, type CameraSize, type CameraSizeName } from './camera-size.js';
import type { CaptureKind } from './capture.js';

export type StudioProtocol = 'webrtc' | 'whip';

/** What the studio shows. */
export interface StudioModel {
  /** The livestream's name, once read. */
  name: string | null;
  state: PublisherState;
  /** A broadcast is being set up or is live: its key, codec and protocol are fixed. */
  active: boolean;
  canGoLive: boolean;
  /** The size asked of the camera, and what it gives (null until it is open). */
  cameraSize: CameraSizeName;
  cameraGives: { width: number; height: number } | null;
  error: string | null;
  /** The server's refusal code beside its words, when it gave one (for scripts and tests). */
  errorCode: PublishRefusalCode | null;
  note: string | null;
}

type StudioTexts = Pick<StudioModel, 'name' | 'error' | 'errorCode' | 'note'>;

/** The streamer's choices when going live. */
export interface GoLive {
  streamKey: string;
  videoCodec: VideoCodecChoice;
  /** H.264 simulcast layers instead of one stream. */
  simulcast?: boolean;
  protocol: StudioProtocol;
}

/** The camera and microphone the studio publishes (Capture in the browser). */
export interface StudioCapture {
  readonly size: CameraSize;
  open(): Promise<void>;
  resize(size: CameraSize): Promise<void>;
  videoSize(): { width: number; height: number } | null;
  track(kind: CaptureKind): MediaStreamTrack | null;
  switchDevice(kind: CaptureKind, deviceId: string): Promise<MediaStreamTrack>;
  deviceId(kind: CaptureKind): string;
}

export interface StudioDeps {
  livestream(id: string): Promise<PublicLivestream>;
  capture: StudioCapture;
  listDevices(kind: CaptureKind): Promise<Array<Pick<MediaDeviceInfo, 'deviceId' | 'label'>>>;
  createPublisher(protocol: StudioProtocol): Publisher;
}

export interface StudioEvents {
  changed: [StudioModel];
  /** The camera is open: its preview can show. */
  captureOpened: [];
  /** The devices of a kind, as [id, label] pairs, and the one in use. */
  devices: [kind: CaptureKind, options: Array<[string, string]>, current: string];
  /** A new broadcast's publisher, for what follows it (the health panel). */
  publisher: [Publisher];
}

const deviceName: Record<CaptureKind, string> = { video: 'Camera', audio: 'Microphone' };

/**
 * A live broadcast whose connection was lost goes live again on its own, as OBS reconnects: its server may be
 * back (a short drop, which the server's reconnect window bridges), or, in a cluster, the page's server places
 * it on a surviving node. Tried this often, for this long: a dead node's hold on the livestream lasts 8 s.
 */
export const REPUBLISH_EVERY_MS = 2000;
export const REPUBLISH_FOR_MS = 30_000;
/** Refusals that pass on their own while a dead node's broadcast expires or a node frees up. */
const PASSING_REFUSALS: ReadonlySet<PublishRefusalCode | undefined> = new Set(['already_live', 'at_capacity']);

/** Whether another attempt may succeed where this one failed. */
function mayPass(error: PublishError): boolean {
  return error.kind === 'unreachable' || error.kind === 'connection_lost' || (error.kind === 'rejected' && PASSING_REFUSALS.has(error.code));
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const failure = (error: unknown): Pick<StudioTexts, 'error' | 'errorCode'> => ({
  error: messageOf(error),
  errorCode: error instanceof PublishError ? (error.code ?? null) : null,
});

/** The studio's state and its talks with the server and the devices: one livestream, one broadcast at a time. */
export class StudioController {
  readonly events = new Emitter<StudioEvents>();
  private publisher: Publisher | null = null;
  /** Going live again after a lost connection (between attempts too); end() stops it. */
  private republishing = false;
  private cameraReady = false;
  /** The camera is taking a new size: going live now would start the ladder from the old one. */
  private resizing = false;
  private livestreamKnown = true;
  private readonly texts: StudioTexts = { name: null, error: null, errorCode: null, note: null };

  constructor(
    private readonly livestreamId: string,
    private readonly deps: StudioDeps,
  ) {}

  get model(): StudioModel {
    const publisherState = this.publisher?.state ?? 'idle';
    const state = this.republishing && !isActive(publisherState) ? 'connecting' : publisherState;
    const active = isActive(state);
    return {
      ...this.texts,
      state,
      active,
      canGoLive: !active && this.cameraReady && !this.resizing && this.livestreamKnown,
      cameraSize: this.deps.capture.size.name,
      cameraGives: this.cameraReady ? this.deps.capture.videoSize() : null,
    };
  }

  /** Reads the livestream and opens the camera, side by side. */
  open(): Promise<void> {
    return Promise.all([this.readLivestream(), this.openCapture()]).then(() => undefined);
  }

  /** Lists the cameras and microphones again (at the start, and whenever devices come and go). */
  async refreshDevices(): Promise<void> {
    for (const kind of ['video', 'audio'] as const) {
      const devices = await this.deps.listDevices(kind);
      const options = devices.map((d, i): [string, string] => [d.deviceId, d.label || `${deviceName[kind]} ${i + 1}`]);
      this.events.emit('devices', kind, options, this.deps.capture.deviceId(kind));
    }
  }

  async switchDevice(kind: CaptureKind, deviceId: string): Promise<void> {
    try {
      const track = await this.deps.capture.switchDevice(kind, deviceId);
      const publisher = this.publisher;
      if (publisher && isActive(publisher.state)) await publisher.replaceTrack(kind, track);
      this.set({ error: null });
    } catch (error) {
      this.set({ error: messageOf(error) });
    }
  }

  /** Before going live only: the server plans the ladder from the size the camera has at go-live. */
  async chooseCameraSize(name: CameraSizeName): Promise<void> {
    if (this.model.active) return;
    this.resizing = true;
    // Started first: the capture takes the new choice at once, and the form shows it while the camera follows.
    const resized = this.deps.capture.resize(cameraSize(name));
    this.changed();
    let error: string | null = null;
    try {
      await resized;
    } catch (resizeError) {
      error = messageOf(resizeError);
    }
    this.resizing = false;
    this.set({ error });
  }

  async goLive(choice: GoLive): Promise<void> {
    this.set({ error: null, note: null });
    const streamKey = choice.streamKey.trim();
    if (!streamKey) {
      this.set({ error: 'Enter the stream key.' });
      return;
    }
    const refused = await this.publish({ ...choice, streamKey });
    if (refused) this.set(failure(refused));
  }

  /** One broadcast's publisher, started; resolves with why it did not start (null: it did, or was cancelled). */
  private async publish(choice: GoLive): Promise<PublishError | null> {
    const video = this.deps.capture.track('video');
    if (!video) return null;
    const publisher = this.deps.createPublisher(choice.protocol);
    this.publisher = publisher;
    publisher.events.on('state', () => this.changed());
    publisher.events.on('failed', (error) => void (error.kind === 'connection_lost' ? this.republish(choice, error) : this.set(failure(error))));
    publisher.events.on('endedByServer', (reason) => this.set({ note: `The stream ended: ${reason}` }));
    this.events.emit('publisher', publisher);
    try {
      await publisher.start({
        livestreamId: this.livestreamId,
        streamKey: choice.streamKey,
        video,
        audio: this.deps.capture.track('audio'),
        videoCodec: choice.videoCodec,
        simulcast: choice.simulcast === true,
      });
      return null;
    } catch (error) {
      if (error instanceof PublishError && error.kind === 'cancelled') return null;
      return error instanceof PublishError ? error : new PublishError('rejected', messageOf(error));
    }
  }

  private async republish(choice: GoLive, lost: PublishError): Promise<void> {
    this.republishing = true;
    this.set({ error: null, note: 'The connection to the server was lost: going live again…' });
    const deadline = Date.now() + REPUBLISH_FOR_MS;
    let last = lost;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, REPUBLISH_EVERY_MS));
      if (!this.republishing) return;
      const refused = await this.publish(choice);
      if (!this.republishing) return;
      if (!refused) {
        this.republishing = false;
        this.set({ note: null });
        return;
      }
      last = refused;
      if (!mayPass(refused)) break;
    }
    this.republishing = false;
    this.set({ ...failure(last), note: null });
  }

  end(): void {
    this.republishing = false;
    void this.publisher?.end();
  }

  private async readLivestream(): Promise<void> {
    try {
      const info = await this.deps.livestream(this.livestreamId);
      this.set({ name: info.name });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.livestreamKnown = false;
      this.set({ error: messageOf(error) });
    }
  }

  private async openCapture(): Promise<void> {
    try {
      await this.deps.capture.open();
      this.cameraReady = true;
      this.events.emit('captureOpened');
      this.changed();
      await this.refreshDevices();
    } catch (error) {
      this.set({ error: messageOf(error) });
    }
  }

  private set(change: Partial<StudioTexts>): void {
    // A new error without a code must not keep the previous one's.
    Object.assign(this.texts, 'error' in change ? { errorCode: null } : {}, change);
    this.changed();
  }

  private changed(): void {
    this.events.emit('changed', this.model);
  }
}

function isActive(state: PublisherState): boolean {
  return state === 'connecting' || state === 'starting' || state === 'live';
}
