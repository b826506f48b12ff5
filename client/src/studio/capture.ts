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

  /** Opens the default (or given) camera and microphone; without a microphone, goes on with video alone. */
  async open(devices: Partial<Record<CaptureKind, string>> = {}): Promise<void> {
    let stream: MediaStream;
    try {
      stream = await getUserMedia({ video: constraint(devices.video), audio: constraint(devices.audio) });
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw new CaptureError(error);
      try {
        stream = await getUserMedia({ video: constraint(devices.video), audio: false });
      } catch (videoError) {
        throw new CaptureError(videoError);
      }
    }
    for (const track of stream.getTracks()) this.put(track.kind as CaptureKind, track);
  }

  /** Switches one device; returns the new track (the old one is stopped). */
  async switchDevice(kind: CaptureKind, deviceId: string): Promise<MediaStreamTrack> {
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await getUserMedia({ [kind]: constraint(deviceId) });
      track = stream.getTracks()[0];
    } catch (error) {
      throw new CaptureError(error);
    }
    if (!track) throw new CaptureError(new DOMException('no track', 'NotFoundError'));
    this.put(kind, track);
    return track;
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

function constraint(deviceId: string | undefined): MediaTrackConstraints | boolean {
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
