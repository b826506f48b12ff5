import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Browser } from 'playwright-core';
import { mediaCodecs } from '../server/src/sfu/media-codecs.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { withChromium } from './lib/browser.js';
import { publishFromChromium } from './lib/browser-publish.js';
import { LayerCaptureTimes } from './lib/layer-capture-times.js';
import { RtpLeg } from './lib/rtp-leg.js';

/** mediasoup's ports for this benchmark: above 30000, clear of the e2e suite's fixed ones. */
const PORTS = { min: 40000, max: 40199 };
const LAYERS = 3;
/** How often keyframes are asked for: Axon's segment length. */
const KEYFRAME_EVERY_MS = 2000;
/** Half a frame at 30 fps: the tolerance of the top-rung judge (top-rung.ts). */
const HALF_FRAME_MS = 1000 / 60;
/** Time for Chromium to bring all three layers up before the legs are pinned to them. */
const LAYERS_UP_MS = 3000;

interface Phases {
  /** The reference legs, with mediasoup's default bandwidth estimate on (s). */
  bweOnS: number;
  /** The legs as Axon opens them, estimate off, with keyframes asked for every 2 s (s). */
  bweOffS: number;
}

interface RunResult {
  forwardedShare: { bweOff: number; bweOn: number };
  onBoundaryShare: { single: number; simulcast: number };
  worstDeviationMs: { single: number; simulcast: number };
  layerGapMs: number;
  frameMs: number;
  sizeSettledS: { single: number; simulcast: number };
}

const share = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);
const onBoundary = (intervals: number[]) => share(intervals.filter((ms) => Math.abs(ms - KEYFRAME_EVERY_MS) <= HALF_FRAME_MS).length, intervals.length);
const worstDeviation = (intervals: number[]) => Math.max(0, ...intervals.map((ms) => Math.abs(ms - KEYFRAME_EVERY_MS)));

/** Pins one leg to each simulcast layer, lets them run `seconds` asking for keyframes, and returns them. */
async function runLegs(router: types.Router, producer: types.Producer, enableBwe: boolean, seconds: number): Promise<RtpLeg[]> {
  const legs: RtpLeg[] = [];
  for (let layer = 0; layer < LAYERS; layer++) legs.push(await RtpLeg.open(router, producer, { layer, enableBwe, ports: PORTS }));
  await Promise.all(legs.map((leg) => leg.consumer.resume()));
  const stopAsking = askForKeyframes(legs);
  await sleep(seconds * 1000);
  stopAsking();
  for (const leg of legs) leg.close();
  return legs;
}

/** What Axon's ingest would do: a keyframe request on every leg at once, every 2 s. Returns how to stop. */
function askForKeyframes(legs: RtpLeg[]): () => void {
  const timer = setInterval(() => {
    for (const leg of legs) leg.consumer.requestKeyFrame().catch(() => undefined);
  }, KEYFRAME_EVERY_MS);
  return () => clearInterval(timer);
}

/**
 * One run: Chromium publishes the fake camera twice into one router, as three H.264 simulcast layers and as
 * one 720p H.264 stream. The single stream's leg runs throughout with a keyframe asked for every 2 s. The
 * simulcast layers first get legs with mediasoup's bandwidth estimate on (the reference: it starves them),
 * then legs as Axon opens them (estimate off), asked for keyframes on all layers every 2 s.
 */
async function oneRun(browser: Browser, phases: Phases, log: (line: string) => void): Promise<RunResult> {
  const worker = await mediasoup.createWorker({ rtcMinPort: PORTS.min, rtcMaxPort: PORTS.max });
  let closePages: (() => Promise<unknown>) | undefined;
  try {
    const router = await worker.createRouter({ mediaCodecs });
    const publishes = await Promise.all([publishFromChromium(browser, router, 'simulcast', PORTS), publishFromChromium(browser, router, 'single', PORTS)]);
    closePages = () => Promise.all(publishes.map((p) => p.close()));
    const [simulcast, single] = publishes.map((p) => p.producer) as [types.Producer, types.Producer];
    const captureTimes = new LayerCaptureTimes(simulcast);
    await captureTimes.start();
    const singleLeg = await RtpLeg.open(router, single, { enableBwe: false, ports: PORTS });
    await singleLeg.consumer.resume();
    const stopAsking = askForKeyframes([singleLeg]);
    await sleep(LAYERS_UP_MS);
    const bweOn = await runLegs(router, simulcast, true, phases.bweOnS);
    const measuredFrom = Date.now() + 1000;
    const bweOff = await runLegs(router, simulcast, false, phases.bweOffS);
    stopAsking();
    singleLeg.close();
    captureTimes.close();

    // The first second is the legs' start (waiting for a keyframe), not forwarding.
    const forwarded = (legs: RtpLeg[], seconds: number) => Math.min(...legs.map((leg) => share(leg.secondsForwarded(1, seconds), seconds - 1)));
    // The first keyframe of a leg is the one it starts on, not one asked for on the 2 s clock.
    const simIntervals = bweOff.map((leg) => leg.keyframeIntervalsMs().slice(1));
    const settledMs = singleLeg.lastSizeChangeMs();
    // The keyframe the size settled on came when the encoder changed size, not on the 2 s clock.
    const singleIntervals = singleLeg.keyframeIntervalsMs(settledMs).slice(1);
    const top = bweOff[LAYERS - 1]!;
    const gaps = [...captureTimes.keyframesBySsrc.keys()].flatMap((ssrc) => captureTimes.worstGapsMs(ssrc, measuredFrom));
    const sizes = (leg: RtpLeg) => [...new Set(leg.keyframes.map((k) => k.size))].join(' → ');
    log(`single: sizes ${sizes(singleLeg)}, settled ${(settledMs / 1000).toFixed(1)} s, intervals after: ${singleIntervals.map((ms) => ms.toFixed(0)).join(' ')}`);
    log(`simulcast layers: ${bweOff.map(sizes).join(', ')}; BWE on forwarded ${bweOn.map((leg) => leg.secondsForwarded(1, phases.bweOnS)).join('/')} s of ${phases.bweOnS - 1}`);
    log(`simulcast intervals (top layer): ${simIntervals[LAYERS - 1]!.map((ms) => ms.toFixed(0)).join(' ')}; layer gaps: ${gaps.map((g) => g.toFixed(1)).join(' ')}`);
    return {
      forwardedShare: { bweOff: forwarded(bweOff, phases.bweOffS), bweOn: forwarded(bweOn, phases.bweOnS) },
      onBoundaryShare: { single: onBoundary(singleIntervals), simulcast: Math.min(...simIntervals.map(onBoundary)) },
      worstDeviationMs: { single: worstDeviation(singleIntervals), simulcast: Math.max(...simIntervals.map(worstDeviation)) },
      layerGapMs: Math.max(0, ...gaps),
      frameMs: top.frameIntervalMs(),
      sizeSettledS: { single: settledMs / 1000, simulcast: top.lastSizeChangeMs() / 1000 },
    };
  } finally {
    await closePages?.();
    worker.close();
  }
}

export const webrtcKeyframes: Benchmark = {
  name: 'webrtc-keyframes',
  title: 'WebRTC H.264 keyframes on a 2 s request clock: single stream and simulcast layers on plain-RTP legs',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const phases: Phases = quick ? { bweOnS: 16, bweOffS: 20 } : { bweOnS: 30, bweOffS: 120 };
    const results = await withChromium(async (browser) => {
      const all: RunResult[] = [];
      for (let i = 0; i < runs; i++) all.push(await oneRun(browser, phases, log));
      return all;
    });
    const pick = (f: (r: RunResult) => number) => results.map(f);
    return [
      {
        metric: 'simulcast legs pinned to a layer: time forwarding, worst layer (%), BWE off',
        values: pick((r) => r.forwardedShare.bweOff),
        reference: { name: 'mediasoup default (BWE on)', values: pick((r) => r.forwardedShare.bweOn) },
      },
      {
        metric: 'keyframe intervals within half a frame of 2 s (%), single 720p stream once its size settled',
        values: pick((r) => r.onBoundaryShare.single),
        reference: { name: 'simulcast, worst layer', values: pick((r) => r.onBoundaryShare.simulcast) },
      },
      {
        metric: 'largest keyframe interval deviation from 2 s (ms), single stream',
        values: pick((r) => r.worstDeviationMs.single),
        reference: { name: 'simulcast, worst layer', values: pick((r) => r.worstDeviationMs.simulcast) },
      },
      {
        metric: 'simulcast: capture-time gap between the layers\u2019 keyframes, worst (ms)',
        values: pick((r) => r.layerGapMs),
        reference: { name: 'one frame', values: pick((r) => r.frameMs) },
      },
      {
        metric: 'picture size last changed (s after the leg opened), single stream',
        values: pick((r) => r.sizeSettledS.single),
        reference: { name: 'simulcast top layer', values: pick((r) => r.sizeSettledS.simulcast) },
      },
    ];
  },
};
