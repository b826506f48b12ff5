import type { Page } from 'playwright-core';
// Declares window.__axonPlayer for the page functions below.
import type {} from '../../client/src/player/player-handle.js';

/**
 * The clock pattern: Date.now() in its low 24 bits (4.6 hours, far more than any latency) and an 8-bit
 * check, as a grid of black and white blocks over the whole 640x360 picture. Large blocks survive the
 * ladder's smallest rung (a block is 32x36 pixels at 144p) and the encoders' artefacts.
 */
export const PATTERN = { width: 640, height: 360, cols: 8, rows: 4 };

/** tsx keeps function names by wrapping inner functions in __name(): page functions need it defined there too. */
export const NAME_SHIM = 'globalThis.__name = globalThis.__name || ((f) => f);';

/**
 * For page.addInitScript() on the studio: the "camera" is a canvas redrawn every 5 ms with the clock
 * pattern, captured at 30 fps. The frame a viewer sees therefore carries the time it was drawn, which
 * is at most 5 ms before it was captured.
 */
export function clockCamera(p: typeof PATTERN): void {
  const canvas = document.createElement('canvas');
  canvas.width = p.width;
  canvas.height = p.height;
  const ctx = canvas.getContext('2d')!;
  const blockW = p.width / p.cols;
  const blockH = p.height / p.rows;
  setInterval(() => {
    const t = Date.now() & 0xffffff;
    const check = ((t >> 16) ^ (t >> 8) ^ t ^ 0x5a) & 0xff;
    const word = t * 256 + check;
    for (let i = 0; i < p.cols * p.rows; i++) {
      const bit = Math.floor(word / 2 ** (31 - i)) % 2;
      ctx.fillStyle = bit ? '#fff' : '#000';
      ctx.fillRect((i % p.cols) * blockW, Math.floor(i / p.cols) * blockH, blockW, blockH);
    }
  }, 5);
  const stream = canvas.captureStream(30);
  // The studio asks for a camera and a microphone: it gets the clock and no sound (the server adds silence).
  navigator.mediaDevices.getUserMedia = async () => new MediaStream(stream.getVideoTracks().map((t) => t.clone()));
}

/**
 * In a viewer page: reads the clock pattern back from every frame the <video> presents
 * (requestVideoFrameCallback, i.e. as it goes to the screen) and records now − the frame's time; beside
 * it, at the same frame, the player's own latency readout (what Axon's player shows: hls.js's now − the
 * PROGRAM-DATE-TIME of the frame on screen, dash.js's live latency); also counts stalls (the video waiting
 * for data after it played).
 */
export function startReading(p: typeof PATTERN): void {
  const player = window.__axonPlayer!;
  const video = player.video;
  const canvas = document.createElement('canvas');
  // One pixel per quarter block: the centre of each block is what is read.
  canvas.width = p.cols * 4;
  canvas.height = p.rows * 4;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const state = { samples: [] as number[], readouts: [] as number[], frames: 0, stalls: 0, stop: false };
  const readout = (now: number): number | undefined => {
    if (player.hls) {
      const date = player.hls.playingDate;
      return date ? now - date.getTime() : undefined;
    }
    // dash.js says NaN or 0 when it has no latency yet.
    const seconds = player.dash?.getCurrentLiveLatency();
    return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
  };
  (window as unknown as { __clockReader: typeof state }).__clockReader = state;
  video.addEventListener('waiting', () => {
    if (!state.stop) state.stalls++;
  });
  const onFrame = () => {
    if (state.stop) return;
    const now = Date.now();
    state.frames++;
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let word = 0;
    for (let i = 0; i < p.cols * p.rows; i++) {
      const x = (i % p.cols) * 4 + 2;
      const y = Math.floor(i / p.cols) * 4 + 2;
      const at = (y * canvas.width + x) * 4;
      const luma = (pixels[at]! + pixels[at + 1]! + pixels[at + 2]!) / 3;
      word = word * 2 + (luma > 128 ? 1 : 0);
    }
    const t = Math.floor(word / 256);
    const check = word % 256;
    if ((((t >> 16) ^ (t >> 8) ^ t ^ 0x5a) & 0xff) === check) {
      // The frame's time is the latest moment before now with these low 24 bits.
      state.samples.push((now - t + 0x1000000 * 2) % 0x1000000);
      const readMs = readout(now);
      if (readMs !== undefined) state.readouts.push(readMs);
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

export interface Reading {
  samples: number[];
  /** The player's latency readout (ms) at the frames a sample was read from; none for WHEP. */
  readouts: number[];
  frames: number;
  stalls: number;
}

export function stopReading(page: Page): Promise<Reading> {
  return page.evaluate(() => {
    const state = (window as unknown as { __clockReader: Reading & { stop: boolean } }).__clockReader;
    state.stop = true;
    return { samples: state.samples, readouts: state.readouts, frames: state.frames, stalls: state.stalls };
  });
}
