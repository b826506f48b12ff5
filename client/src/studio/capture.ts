import { cameraSize, videoConstraints, type CameraSize } from './camera-size.js';
import { describeMediaError, INSECURE_PAGE } from './media-errors.js';

export type CaptureKind = 'video' | 'audio';

/** A capture failure; its message is meant for the streamer. */
export class CaptureError extends Error {
  constructor(cause: unknown) {
    super(describeMediaError(cause), { cause });
    this.name = 'CaptureError';
  }
}

/** The camera and microphone tracks the studio previews and publishes. Owns them: it stops what it replaces. */
export class Capture {
  readonly stream = new MediaStream();
  private readonly tracks: Partial<Record<CaptureKind, MediaStreamTrack>> = {};

  /** `chosenSize` is asked of every camera it opens, until resize(). */
  constructor(private chosenSize: CameraSize = cameraSize(undefined)) {}

  get size(): CameraSize {
    return this.chosenSize;
  }

  /** Opens the default (or given) camera and microphone; without a microphone, goes on with video alone. */
  async open(devices: Partial<Record<CaptureKind, string>> = {}): Promise<void> {
    const asked = this.chosenSize;
    const video = videoConstraints(asked, devices.video);
    let stream: MediaStream;
    try {
      stream = await getUserMedia({ video, audio: audioConstraint(devices.audio) });
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw new CaptureError(error);
      try {
        stream = await getUserMedia({ video, audio: false });
      } catch (videoError) {
        throw new CaptureError(videoError);
      }
    }
    for (const track of stream.getTracks()) this.put(track.kind as CaptureKind, track);
    await this.followChoice(asked);
  }

  /** Switches one device; returns the new track (the old one is stopped). */
  async switchDevice(kind: CaptureKind, deviceId: string): Promise<MediaStreamTrack> {
    const asked = this.chosenSize;
    let track: MediaStreamTrack | undefined;
    try {
      const constraints = kind === 'video' ? videoConstraints(asked, deviceId) : audioConstraint(deviceId);
      const stream = await getUserMedia({ [kind]: constraints });
      track = stream.getTracks()[0];
    } catch (error) {
      throw new CaptureError(error);
    }
    if (!track) throw new CaptureError(new DOMException('no track', 'NotFoundError'));
    this.put(kind, track);
    await this.followChoice(asked);
    return track;
  }

  /** Asks the open camera (and any it opens later) for another size; the track stays, so a preview follows it. */
  async resize(size: CameraSize): Promise<void> {
    this.chosenSize = size;
    try {
      await this.tracks.video?.applyConstraints(videoConstraints(size));
    } catch (error) {
      throw new CaptureError(error);
    }
  }

  /** A size chosen while a camera was opening reached the track that is being replaced: the new one takes it. */
  private async followChoice(asked: CameraSize): Promise<void> {
    if (this.chosenSize !== asked) await this.resize(this.chosenSize);
  }

  /** The size the camera gives, which may not be the size asked for. */
  videoSize(): { width: number; height: number } | null {
    const { width, height } = this.tracks.video?.getSettings() ?? {};
    return width && height ? { width, height } : null;
  }

  track(kind: CaptureKind): MediaStreamTrack | null {
    return this.tracks[kind] ?? null;
  }

  /** The device id in use for a kind ('' when unknown). */
  deviceId(kind: CaptureKind): string {
    return this.tracks[kind]?.getSettings().deviceId ?? '';
  }

  private put(kind: CaptureKind, track: MediaStreamTrack): void {
    const old = this.tracks[kind];
    if (old) {
      this.stream.removeTrack(old);
      old.stop();
    }
    this.tracks[kind] = track;
    this.stream.addTrack(track);
  }
}

export async function listDevices(kind: CaptureKind): Promise<MediaDeviceInfo[]> {
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === (kind === 'video' ? 'videoinput' : 'audioinput') && d.deviceId !== '');
}

function audioConstraint(deviceId: string | undefined): MediaTrackConstraints | boolean {
  return deviceId ? { deviceId: { exact: deviceId } } : true;
}

function getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  // Browsers hide mediaDevices from pages that are not secure contexts: plain HTTP from another machine.
  if (!window.isSecureContext) return Promise.reject(new DOMException('the page is not served over HTTPS', INSECURE_PAGE));
  if (!navigator.mediaDevices?.getUserMedia) {
    return Promise.reject(new DOMException('this browser offers no camera access', 'NotSupportedError'));
  }
  return navigator.mediaDevices.getUserMedia(constraints);
}
