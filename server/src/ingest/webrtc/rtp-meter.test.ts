import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { describe, expect, it } from 'vitest';
import { RtpMeter, type MeteredProducer } from './rtp-meter.js';

/** A producer as the meter sees it: its codec, and the 'rtp' traces mediasoup would emit. */
class TracingProducer extends EventEmitter {
  traced: string[] = [];
  readonly rtpParameters: types.RtpParameters;

  constructor(mimeType: string) {
    super();
    this.rtpParameters = { codecs: [{ mimeType, payloadType: 96, clockRate: 90000 }] };
  }

  async enableTraceEvent(types: string[] = []): Promise<void> {
    this.traced = types;
  }

  packet(p: { ssrc: number; timestamp: number; marker?: boolean; isKeyFrame?: boolean; size: number }, isRtx = false): void {
    this.emit('trace', { type: 'rtp', timestamp: 0, direction: 'in', info: { isRtx, rtpPacket: { marker: false, isKeyFrame: false, ...p } } });
  }

  senderReport(sr: { ssrc: number; ntpSec: number; ntpFrac: number; rtpTs: number }): void {
    this.emit('trace', { type: 'sr', timestamp: 0, direction: 'in', info: { ...sr, packetCount: 0, octetCount: 0 } });
  }
}

const asProducer = (p: TracingProducer) => p as unknown as MeteredProducer;

/** `frames` video frames of two packets each at 30 fps, a keyframe every `gop`, from RTP time `start`. */
function sendVideo(p: TracingProducer, o: { ssrc: number; frames: number; gop: number; start: number; size: number }): void {
  for (let i = 0; i < o.frames; i++) {
    const timestamp = (o.start + i * 3000) >>> 0;
    const isKeyFrame = i % o.gop === 0;
    p.packet({ ssrc: o.ssrc, timestamp, isKeyFrame, size: o.size });
    p.packet({ ssrc: o.ssrc, timestamp, isKeyFrame, marker: true, size: o.size });
  }
}

describe('RtpMeter', () => {
  it('measures frames, keyframes and media time from the traced RTP, across a timestamp wrap', () => {
    const video = new TracingProducer('video/VP8');
    const audio = new TracingProducer('audio/opus');
    const meter = new RtpMeter({ video: asProducer(video), audio: asProducer(audio), size: { width: 640, height: 360 } });
    expect(video.traced).toEqual(['rtp', 'sr']);
    expect(audio.traced).toEqual(['rtp']);
    sendVideo(video, { ssrc: 1, frames: 181, gop: 90, start: 2 ** 32 - 30_000, size: 1000 });
    // A retransmission is no new media.
    video.packet({ ssrc: 1, timestamp: 5, marker: true, size: 1000 }, true);
    audio.packet({ ssrc: 2, timestamp: 0, size: 100 });
    expect(meter.read()).toEqual({
      videoCodec: 'VP8',
      audioCodec: 'opus',
      width: 640,
      height: 360,
      bytes: 181 * 2 * 1000 + 100,
      frames: 181,
      mediaTimeS: 6,
      keyframesAtS: [0, 3, 6],
      layers: 1,
    });
  });

  it('counts the frames of the simulcast layer sending the most, and the bytes of all', () => {
    const video = new TracingProducer('video/H264');
    const meter = new RtpMeter({ video: asProducer(video), size: { width: 1280, height: 720 } });
    sendVideo(video, { ssrc: 10, frames: 30, gop: 60, start: 0, size: 200 });
    sendVideo(video, { ssrc: 11, frames: 60, gop: 60, start: 0, size: 1000 });
    expect(meter.read()).toMatchObject({ videoCodec: 'H.264', audioCodec: null, frames: 60, bytes: 30 * 400 + 60 * 2000, keyframesAtS: [0] });
  });

  it('measures each simulcast layer apart, on the sender clock its reports give', () => {
    const video = new TracingProducer('video/H264');
    const top = { profileIdc: 66, constraintFlags: 0xc0, levelIdc: 31, width: 1280, height: 720 };
    const meter = new RtpMeter({ video: asProducer(video), size: top, h264: top });
    sendVideo(video, { ssrc: 10, frames: 61, gop: 60, start: 5000, size: 200 });
    sendVideo(video, { ssrc: 11, frames: 31, gop: 30, start: 2 ** 32 - 3000, size: 1000 });
    // A report for no stream seen yet is no use; the top layer's, 45 ticks after its newest frame, is.
    video.senderReport({ ssrc: 12, ntpSec: 1, ntpFrac: 0, rtpTs: 0 });
    video.senderReport({ ssrc: 11, ntpSec: 3_900_000_001, ntpFrac: 2 ** 31, rtpTs: (2 ** 32 - 3000 + 30 * 3000 + 45) >>> 0 });
    const [topLayer, lower, absent] = meter.readLayers([11, 10, undefined]);
    expect(topLayer).toEqual({ frames: 31, mediaTimeS: 1, keyframesAtS: [0, 1], originS: 3_900_000_001.5 - 1.0005, size: top });
    expect(lower).toEqual({ frames: 61, mediaTimeS: 2, keyframesAtS: [0, 2], originS: undefined });
    expect(absent).toEqual({ frames: 0, mediaTimeS: 0, keyframesAtS: [], originS: undefined });
  });

  it('reads each SPS from the packets, and the reading takes its profile, level and size', () => {
    const video = new TracingProducer('video/H264');
    let feed: ((packet: Buffer) => void) | undefined;
    const seeded = { profileIdc: 66, constraintFlags: 0xc0, levelIdc: 31, width: 1280, height: 720 };
    const meter = new RtpMeter({ video: asProducer(video), size: seeded, h264: seeded, packets: (l) => ((feed = l), () => (feed = undefined)) });
    expect(meter.read()).toMatchObject({ h264: seeded, width: 1280, height: 720, reordered: false });
    // An RTP packet (sequence number 7) carrying a 640x360 High 3.0 SPS in a STAP-A aggregate.
    const sps = Buffer.from('6764001eacd940a02ff970110000030001000003003c0f162d96', 'hex');
    const header = Buffer.from('80600007000000000000000a', 'hex');
    feed!(Buffer.concat([header, Buffer.of(0x78, 0, sps.length), sps]));
    expect(meter.read()).toMatchObject({ h264: { profileIdc: 100, levelIdc: 30, width: 640, height: 360 }, width: 640, height: 360 });
    meter.close();
    expect(feed).toBeUndefined();
  });

  it('measures a single H.264 stream from its packets alone, with no video trace', () => {
    const video = new TracingProducer('video/H264');
    const audio = new TracingProducer('audio/opus');
    let feed: ((packet: Buffer) => void) | undefined;
    const seeded = { profileIdc: 66, constraintFlags: 0xc0, levelIdc: 31, width: 1280, height: 720 };
    const meter = new RtpMeter({ video: asProducer(video), audio: asProducer(audio), size: seeded, h264: seeded, packets: (l) => ((feed = l), () => (feed = undefined)) });
    expect(video.traced).toEqual([]);
    expect(audio.traced).toEqual(['rtp']);
    const frames: boolean[] = [];
    meter.onFrame((f) => frames.push(f.keyframe));
    const sps = Buffer.from('6764001eacd940a02ff970110000030001000003003c0f162d96', 'hex');
    const packet = (seq: number, timestamp: number, marker: boolean, payload: Buffer) => {
      const header = Buffer.alloc(12);
      header.writeUInt8(0x80, 0);
      header.writeUInt8((marker ? 0x80 : 0) | 102, 1);
      header.writeUInt16BE(seq, 2);
      header.writeUInt32BE(timestamp, 4);
      header.writeUInt32BE(1234, 8);
      return Buffer.concat([header, payload]);
    };
    // Each frame: a first packet (the SPS ahead of an IDR slice every 30th, else a slice fragment), then the end of a slice.
    let seq = 0;
    for (let i = 0; i < 61; i++) {
      const timestamp = (2 ** 32 - 3000 + i * 3000) >>> 0;
      const first = i % 30 === 0 ? Buffer.concat([Buffer.of(0x78, 0, sps.length), sps]) : Buffer.of(0x7c, 0x81, 0, 0);
      feed!(packet(seq++, timestamp, false, first));
      feed!(packet(seq++, timestamp, true, Buffer.of(0x7c, 0x41, 0, 0)));
    }
    // A retransmission of the newest frame end is no new frame.
    feed!(packet(seq - 1, (2 ** 32 - 3000 + 60 * 3000) >>> 0, true, Buffer.of(0x7c, 0x41, 0, 0)));
    const firstSize = 12 + 3 + sps.length;
    expect(meter.read()).toMatchObject({
      videoCodec: 'H.264',
      h264: { profileIdc: 100, width: 640, height: 360 },
      bytes: 3 * firstSize + 58 * 16 + 62 * 16,
      frames: 61,
      mediaTimeS: 2,
      keyframesAtS: [0, 1, 2],
    });
    expect(frames.filter((k) => k)).toHaveLength(3);
    expect(frames).toHaveLength(61);
    meter.close();
    expect(feed).toBeUndefined();
  });

  it('tells the top layer frames as they complete, keyframes flagged', () => {
    const video = new TracingProducer('video/H264');
    const meter = new RtpMeter({ video: asProducer(video), size: { width: 1280, height: 720 } });
    const frames: Array<[number, boolean]> = [];
    const stop = meter.onFrame((f) => frames.push([Number(f.atS.toFixed(4)), f.keyframe]));
    sendVideo(video, { ssrc: 11, frames: 3, gop: 2, start: 1000, size: 1000 });
    sendVideo(video, { ssrc: 10, frames: 3, gop: 2, start: 0, size: 10 });
    stop();
    sendVideo(video, { ssrc: 11, frames: 1, gop: 2, start: 9000, size: 1000 });
    expect(frames).toEqual([[0, true], [0.0333, false], [0.0667, true]]);
  });

  it('stops listening when closed', () => {
    const video = new TracingProducer('video/VP8');
    const meter = new RtpMeter({ video: asProducer(video), size: { width: 640, height: 360 } });
    meter.close();
    sendVideo(video, { ssrc: 1, frames: 10, gop: 30, start: 0, size: 100 });
    expect(meter.read().frames).toBe(0);
  });
});
