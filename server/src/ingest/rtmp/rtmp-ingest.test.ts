import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../log.js';
import { AVC_FRAME, AVC_KEYFRAME, videoTag } from '../../../test/fixtures/flv-tags.js';
import { RtmpIngest } from './rtmp-ingest.js';
import type { RtmpPublish } from './rtmp-connection.js';

/** A stand-in for a node-media-server publish: tags are pushed by hand, `drop()` is the connection going away. */
class FakePublish implements RtmpPublish {
  readonly app = 'live';
  readonly streamKey = 'key';
  readonly remote = '127.0.0.1:1';
  closed = false;
  stoppedByPublisher = false;
  silentForMs = 0;
  /** What node-media-server hands a new subscriber first: the current GOP, pushed since the latest keyframe. */
  readonly gop: Buffer[] = [];
  private readonly sinks = new Set<(tag: Buffer) => void>();
  private readonly closeListeners = new Set<() => void>();

  subscribe(sink: (tag: Buffer) => void): () => void {
    for (const tag of this.gop) sink(tag);
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.drop();
  }

  push(tag: Buffer, keyframe = false): void {
    if (keyframe) this.gop.length = 0;
    this.gop.push(tag);
    for (const sink of this.sinks) sink(tag);
  }

  /** The publisher deleting its stream, then closing: a clean stop. */
  stop(): void {
    this.stoppedByPublisher = true;
    this.drop();
  }

  drop(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener();
  }
}

const log = createLogger('test');
const video = { width: 1280, height: 720 };
const endedWith = (ingest: RtmpIngest) => ingest.ended;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('RtmpIngest', () => {
  it('pipes the publish into FFmpeg as FLV, without script tags, and ends the input when the publisher drops', async () => {
    const publish = new FakePublish();
    const ingest = new RtmpIngest(publish, false, { video, reconnectWindowS: 30, log });
    const input = await ingest.openInput();
    expect(input.ffmpegInputArgs.slice(-2)).toEqual(['-i', 'pipe:0']);
    expect(input.hasAudio).toBe(false);
    const stdin = new PassThrough();
    const written: Buffer[] = [];
    stdin.on('data', (chunk: Buffer) => written.push(chunk));
    input.attachStdin!(stdin);
    await input.start();
    publish.push(Buffer.from([18, 1]));
    publish.push(Buffer.from([9, 2]));
    publish.drop();
    await new Promise((resolve) => stdin.once('end', resolve));
    // FLV header announcing video only, then the video tag.
    expect(Buffer.concat(written).toString('hex')).toBe('464c5601010000000900000000' + '0902');
  });

  it('waits for the publisher to return within the window, then serves the next run from it', async () => {
    const first = new FakePublish();
    const ingest = new RtmpIngest(first, true, { video, reconnectWindowS: 30, log });
    first.drop();
    expect(ingest.claim()).toBe(true);
    expect(ingest.claim()).toBe(false);
    let opened = false;
    const next = ingest.openInput().then((input) => ((opened = true), input));
    await vi.advanceTimersByTimeAsync(29_000);
    expect(opened).toBe(false);
    ingest.attach(new FakePublish(), false);
    expect((await next).hasAudio).toBe(false);
    expect(ingest.claim()).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ingest.over).toBe(false);
  });

  it('drops a publisher that has gone silent so that a returning one can claim the broadcast, never a live one', async () => {
    const first = new FakePublish();
    const ingest = new RtmpIngest(first, true, { video, reconnectWindowS: 30, log });
    first.silentForMs = 2999;
    expect(ingest.displaceSilentPublisher(3000)).toBe(false);
    expect(first.closed).toBe(false);
    expect(ingest.claim()).toBe(false);

    first.silentForMs = 3000;
    expect(ingest.displaceSilentPublisher(3000)).toBe(true);
    expect(first.closed).toBe(true);
    expect(ingest.claim()).toBe(true);
    const next = ingest.openInput();
    ingest.attach(new FakePublish(), false);
    expect((await next).hasAudio).toBe(false);
    expect(ingest.over).toBe(false);

    // Without a window the broadcast ends with its publisher: it is never dropped for a newcomer.
    const only = new FakePublish();
    only.silentForMs = 60_000;
    expect(new RtmpIngest(only, true, { video, reconnectWindowS: 0, log }).displaceSilentPublisher(3000)).toBe(false);
    expect(only.closed).toBe(false);
  });

  it('ends when the window passes: ended first, then the waiting run is refused', async () => {
    const publish = new FakePublish();
    const ingest = new RtmpIngest(publish, true, { video, reconnectWindowS: 3, log });
    const ended = endedWith(ingest);
    publish.drop();
    const order: string[] = [];
    void ended.then(() => order.push('ended'));
    const next = ingest.openInput().catch((err: Error) => (order.push('rejected'), err.message));
    await vi.advanceTimersByTimeAsync(3000);
    expect(await ended).toBe('the publisher did not return within 3 s');
    expect(await next).toBe('the publisher did not return within 3 s');
    expect(order).toEqual(['ended', 'rejected']);
    expect(ingest.claim()).toBe(false);
  });

  it('ends at once when the publisher stops cleanly, whatever the window, and takes no publisher after', async () => {
    const publish = new FakePublish();
    const ingest = new RtmpIngest(publish, true, { video, reconnectWindowS: 30, log });
    publish.stop();
    expect(await endedWith(ingest)).toBe('the publisher stopped');
    expect(ingest.claim()).toBe(false);
    await expect(ingest.openInput()).rejects.toThrow('the publisher stopped');
  });

  it('ends at once with a window of 0, and disconnects its publisher when closed', async () => {
    const first = new FakePublish();
    const ingest = new RtmpIngest(first, true, { video, reconnectWindowS: 0, log });
    const ended = endedWith(ingest);
    first.drop();
    expect(await ended).toBe('the publisher disconnected');

    const second = new FakePublish();
    const other = new RtmpIngest(second, true, { video, reconnectWindowS: 30, log });
    await other.close();
    expect(second.closed).toBe(true);
    await expect(other.openInput()).rejects.toThrow('the RTMP ingest is closed');
  });

  it('dates a run from the arrival of the first keyframe its FFmpeg gets, a cached one and one cached before the broadcast alike', async () => {
    const T0 = Date.parse('2026-11-21T10:00:00.000Z');
    vi.setSystemTime(T0);
    const publish = new FakePublish();
    // Sent before the broadcast took the publish (while it was probed): cached, arrived 100 ms before it.
    publish.push(videoTag(AVC_KEYFRAME, 1000), true);
    publish.push(videoTag(AVC_FRAME, 1033));
    publish.push(videoTag(AVC_FRAME, 1067));
    const ingest = new RtmpIngest(publish, false, { video, reconnectWindowS: 30, log });
    vi.setSystemTime(T0 + 34); // 1100 ms of the publisher's clock arrives 34 ms after the broadcast began
    publish.push(videoTag(AVC_FRAME, 1100));
    const first = await ingest.openInput();
    first.attachStdin!(new PassThrough());
    expect(first.originArrival!()).toBeUndefined();
    await first.start();
    expect(first.originArrival!()!.getTime()).toBe(T0 + 34 - 100);

    // Later, a run (FFmpeg restarted) starts from the GOP cached since the keyframe that arrived at T0 + 2 s.
    vi.setSystemTime(T0 + 2000);
    publish.push(videoTag(AVC_KEYFRAME, 3066), true);
    vi.setSystemTime(T0 + 3500);
    publish.push(videoTag(AVC_FRAME, 4566));
    const next = await ingest.openInput();
    next.attachStdin!(new PassThrough());
    await next.start();
    expect(next.originArrival!()!.getTime()).toBe(T0 + 2000);
  });
});
