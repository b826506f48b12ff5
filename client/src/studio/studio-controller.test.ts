import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PublicLivestream } from '../../../shared/livestream.js';
import { ApiError } from '../api.js';
import { Emitter } from '../emitter.js';
import { PublishError, type Publisher, type PublisherEvents, type PublisherState, type PublishRequest } from '../publish/publisher.js';
import { cameraSize, type CameraSize } from './camera-size.js';
import type { CaptureKind } from './capture.js';
import { REPUBLISH_EVERY_MS, REPUBLISH_FOR_MS, StudioController, type StudioCapture, type StudioModel, type StudioProtocol } from './studio-controller.js';

const track = (id: string) => ({ id }) as MediaStreamTrack;

class FakeCapture implements StudioCapture {
  readonly tracks: Partial<Record<CaptureKind, MediaStreamTrack>> = {};
  failure: Error | null = null;
  size: CameraSize = cameraSize('720p');

  async open(): Promise<void> {
    if (this.failure) throw this.failure;
    this.tracks.video = track('camera-1');
    this.tracks.audio = track('mic-1');
  }

  track(kind: CaptureKind): MediaStreamTrack | null {
    return this.tracks[kind] ?? null;
  }

  async switchDevice(kind: CaptureKind, deviceId: string): Promise<MediaStreamTrack> {
    if (this.failure) throw this.failure;
    this.tracks[kind] = track(deviceId);
    return this.tracks[kind];
  }

  deviceId(kind: CaptureKind): string {
    return this.tracks[kind]?.id ?? '';
  }

  resize(size: CameraSize): Promise<void> {
    this.size = size;
    return this.failure ? Promise.reject(this.failure) : Promise.resolve();
  }

  /** A camera that gives at most 1280x720. */
  videoSize(): { width: number; height: number } | null {
    return this.tracks.video ? { width: Math.min(this.size.width, 1280), height: Math.min(this.size.height, 720) } : null;
  }
}

class FakePublisher implements Publisher {
  readonly events = new Emitter<PublisherEvents>();
  state: PublisherState = 'idle';
  request: PublishRequest | null = null;
  readonly replaced: Array<[string, string]> = [];
  ended = false;
  startFailure: PublishError | null = null;

  constructor(readonly protocol: StudioProtocol) {}

  async start(request: PublishRequest): Promise<void> {
    this.request = request;
    this.go('connecting');
    if (this.startFailure) {
      this.go('ended');
      throw this.startFailure;
    }
    this.go('starting');
  }

  go(state: PublisherState): void {
    this.state = state;
    this.events.emit('state', state);
  }

  async replaceTrack(kind: 'audio' | 'video', t: MediaStreamTrack): Promise<void> {
    this.replaced.push([kind, t.id]);
  }

  async getStats(): Promise<RTCStats[]> {
    return [];
  }

  async end(): Promise<void> {
    this.ended = true;
    this.go('ended');
  }
}

function setUp(options: { livestream?: () => Promise<PublicLivestream>; devices?: Array<{ deviceId: string; label: string }> } = {}) {
  const capture = new FakeCapture();
  const publishers: FakePublisher[] = [];
  const controller = new StudioController('ls1', {
    livestream: options.livestream ?? (async () => ({ name: 'Friday stand-up' }) as PublicLivestream),
    capture,
    listDevices: async () => options.devices ?? [],
    createPublisher: (protocol) => {
      const publisher = new FakePublisher(protocol);
      publishers.push(publisher);
      return publisher;
    },
  });
  const models: StudioModel[] = [];
  controller.events.on('changed', (model) => models.push(model));
  return { capture, controller, publishers, models, last: () => models.at(-1) ?? controller.model };
}

const choice = { streamKey: '  sk_secret  ', videoCodec: 'vp8' as const, protocol: 'whip' as const };

describe('StudioController', () => {
  it('lets the streamer go live once the camera is open and the livestream known', async () => {
    const { controller, last } = setUp();
    expect(controller.model).toMatchObject({ state: 'idle', active: false, canGoLive: false, name: null });
    await controller.open();
    expect(last()).toMatchObject({ name: 'Friday stand-up', canGoLive: true, error: null });
  });

  it('refuses to go live for a livestream that does not exist, and says why', async () => {
    const { controller, last } = setUp({ livestream: () => Promise.reject(new ApiError(404, 'no such livestream')) });
    await controller.open();
    expect(last()).toMatchObject({ canGoLive: false, error: 'no such livestream' });
  });

  it('shows a camera that cannot open', async () => {
    const { controller, capture, last } = setUp();
    capture.failure = new Error('Camera access was denied.');
    await controller.open();
    expect(last()).toMatchObject({ canGoLive: false, error: 'Camera access was denied.' });
  });

  it('names devices without a label by their kind and place', async () => {
    const { controller } = setUp({ devices: [{ deviceId: 'd1', label: '' }, { deviceId: 'd2', label: 'USB camera' }] });
    const lists: unknown[] = [];
    controller.events.on('devices', (...args) => lists.push(args));
    await controller.open();
    expect(lists).toEqual([
      ['video', [['d1', 'Camera 1'], ['d2', 'USB camera']], 'camera-1'],
      ['audio', [['d1', 'Microphone 1'], ['d2', 'USB camera']], 'mic-1'],
    ]);
  });

  it('asks for the stream key before going live', async () => {
    const { controller, publishers, last } = setUp();
    await controller.open();
    await controller.goLive({ ...choice, streamKey: '   ' });
    expect(publishers).toEqual([]);
    expect(last().error).toBe('Enter the stream key.');
  });

  it('publishes with the chosen protocol, the trimmed key and the open tracks', async () => {
    const { controller, publishers, last } = setUp();
    const announced: Publisher[] = [];
    controller.events.on('publisher', (p) => announced.push(p));
    await controller.open();
    await controller.goLive(choice);
    const [publisher] = publishers;
    expect(publisher?.protocol).toBe('whip');
    expect(announced).toEqual([publisher]);
    expect(publisher?.request).toMatchObject({ livestreamId: 'ls1', streamKey: 'sk_secret', videoCodec: 'vp8', video: { id: 'camera-1' }, audio: { id: 'mic-1' } });
    expect(last()).toMatchObject({ state: 'starting', active: true, canGoLive: false });
    publisher?.go('live');
    expect(last().state).toBe('live');
    controller.end();
    expect(publisher?.ended).toBe(true);
    expect(last()).toMatchObject({ state: 'ended', active: false, canGoLive: true });
  });

  it('shows a refused start, but not one the streamer cancelled', async () => {
    const { controller, publishers, last } = setUp({});
    await controller.open();
    controller.events.on('publisher', (p) => ((p as FakePublisher).startFailure = new PublishError('rejected', 'wrong stream key')));
    await controller.goLive(choice);
    expect(last().error).toBe('wrong stream key');

    const cancelled = setUp();
    await cancelled.controller.open();
    cancelled.controller.events.on('publisher', (p) => ((p as FakePublisher).startFailure = new PublishError('cancelled', 'ended before it started')));
    await cancelled.controller.goLive(choice);
    expect(cancelled.last().error).toBeNull();
    expect(publishers).toHaveLength(1);
  });

  it('shows the server end of a running broadcast', async () => {
    const { controller, publishers, last } = setUp();
    await controller.open();
    await controller.goLive(choice);
    publishers[0]?.events.emit('endedByServer', 'the stream key was rotated');
    expect(last().note).toBe('The stream ended: the stream key was rotated');
    expect(publishers).toHaveLength(1);
  });

  describe('after a running broadcast lost its connection', () => {
    afterEach(() => vi.useRealTimers());
    const lose = (p: FakePublisher | undefined) => {
      p?.go('ended');
      p?.events.emit('failed', new PublishError('connection_lost', 'The connection to the server was lost.'));
    };

    it('goes live again with the same choices, through refusals that pass, and says so meanwhile', async () => {
      vi.useFakeTimers();
      const { controller, publishers, last } = setUp();
      await controller.open();
      await controller.goLive(choice);
      lose(publishers[0]);
      expect(last()).toMatchObject({ state: 'connecting', active: true, canGoLive: false, error: null });
      expect(last().note).toContain('going live again');
      // The dead node still holds the livestream for a few seconds: refused, then accepted.
      controller.events.on('publisher', (p) => {
        if (publishers.length === 2) (p as FakePublisher).startFailure = new PublishError('rejected', 'This livestream already has a publisher', 'already_live');
      });
      await vi.advanceTimersByTimeAsync(REPUBLISH_EVERY_MS);
      expect(publishers).toHaveLength(2);
      expect(last()).toMatchObject({ state: 'connecting', error: null });
      await vi.advanceTimersByTimeAsync(REPUBLISH_EVERY_MS);
      expect(publishers).toHaveLength(3);
      expect(publishers[2]?.request).toMatchObject({ streamKey: 'sk_secret', videoCodec: 'vp8' });
      expect(publishers[2]?.protocol).toBe('whip');
      expect(last()).toMatchObject({ state: 'starting', note: null, error: null });
    });

    it('stops at a refusal that does not pass, and when the streamer ends', async () => {
      vi.useFakeTimers();
      const { controller, publishers, last } = setUp();
      await controller.open();
      await controller.goLive(choice);
      controller.events.on('publisher', (p) => ((p as FakePublisher).startFailure = new PublishError('rejected', 'wrong stream key', 'wrong_key')));
      lose(publishers[0]);
      await vi.advanceTimersByTimeAsync(REPUBLISH_FOR_MS);
      expect(publishers).toHaveLength(2);
      expect(last()).toMatchObject({ state: 'ended', error: 'wrong stream key', errorCode: 'wrong_key', note: null, canGoLive: true });

      const ended = setUp();
      await ended.controller.open();
      await ended.controller.goLive(choice);
      lose(ended.publishers[0]);
      ended.controller.end();
      await vi.advanceTimersByTimeAsync(REPUBLISH_FOR_MS);
      expect(ended.publishers).toHaveLength(1);
      expect(ended.last()).toMatchObject({ state: 'ended', canGoLive: true });
    });

    it('gives up after a while and shows the loss', async () => {
      vi.useFakeTimers();
      const { controller, publishers, last } = setUp();
      await controller.open();
      await controller.goLive(choice);
      controller.events.on('publisher', (p) => ((p as FakePublisher).startFailure = new PublishError('unreachable', 'Cannot reach the Axon server.')));
      lose(publishers[0]);
      await vi.advanceTimersByTimeAsync(REPUBLISH_FOR_MS + REPUBLISH_EVERY_MS);
      expect(publishers.length).toBe(1 + REPUBLISH_FOR_MS / REPUBLISH_EVERY_MS);
      expect(last()).toMatchObject({ state: 'ended', error: 'Cannot reach the Axon server.', note: null, canGoLive: true });
    });
  });

  it('switches a device on the running broadcast, and only there', async () => {
    const { controller, publishers, last } = setUp();
    await controller.open();
    await controller.switchDevice('video', 'camera-2');
    await controller.goLive(choice);
    await controller.switchDevice('audio', 'mic-2');
    expect(publishers[0]?.replaced).toEqual([['audio', 'mic-2']]);
    expect(last().error).toBeNull();
  });

  it('shows a device that cannot be switched to', async () => {
    const { controller, capture, last } = setUp();
    await controller.open();
    capture.failure = new Error('The camera is in use by another application.');
    await controller.switchDevice('video', 'camera-2');
    expect(last().error).toBe('The camera is in use by another application.');
  });

  it('resizes the camera before going live, shows what it gives, and keeps the size while live', async () => {
    const { controller, capture, models, last } = setUp();
    expect(controller.model).toMatchObject({ cameraSize: '720p', cameraGives: null });
    await controller.open();
    expect(last()).toMatchObject({ cameraSize: '720p', cameraGives: { width: 1280, height: 720 } });
    const resizing = controller.chooseCameraSize('1080p');
    // Not live from the old size while the camera changes.
    expect(last()).toMatchObject({ cameraSize: '1080p', canGoLive: false });
    await resizing;
    expect(last()).toMatchObject({ cameraSize: '1080p', cameraGives: { width: 1280, height: 720 }, canGoLive: true });
    await controller.goLive(choice);
    const seen = models.length;
    await controller.chooseCameraSize('480p');
    expect(capture.size.name).toBe('1080p');
    expect(models).toHaveLength(seen);
  });

  it('shows a camera that cannot be resized', async () => {
    const { controller, capture, last } = setUp();
    await controller.open();
    capture.failure = new Error('The camera cannot give that size.');
    await controller.chooseCameraSize('480p');
    expect(last()).toMatchObject({ error: 'The camera cannot give that size.', canGoLive: true });
  });
});
