import type { LayerReading, SimulcastSource } from '../session/ingest.js';
import type { RunMode } from './layer-ladder.js';
import { judgeLayers } from './layers-verdict.js';
import type { TopRungSetting, TopRungVerdict } from './top-rung.js';
import { TopRungPolicy } from './top-rung-policy.js';

/** Often enough that a layer gone from under its rung is noticed within a frame's worth of parts. */
const SAMPLE_MS = 500;
/** The layers' frame rates are judged over about this much of the latest media (at least 4 s of it, top-rung-monitor.ts). */
const FRAME_RATE_WINDOW_MS = 10_000;

/** The mode of a simulcast broadcast's runs, and why, in plain words. */
export interface LayersState {
  mode: Extract<RunMode, 'layers' | 'encode'>;
  reason: string;
}

export interface LayersMonitorOptions {
  simulcast: SimulcastSource;
  setting: TopRungSetting;
  /** The ladder's frame rate: the layers must run at it. */
  fps: number;
  /** The mode changed: the transcoder restarts FFmpeg in it. */
  onChange(state: LayersState): void;
  now?: () => number;
}

/**
 * Beside a broadcast whose rungs are its publisher's simulcast layers: judges the layers every SAMPLE_MS
 * (layers-verdict.ts: every one received, at its size and the ladder's frame rate, keyed together on the
 * 2 s boundaries), and keeps the broadcast's mode with the top rung's hysteresis (top-rung-policy.ts):
 * encoded from the top layer at the first verdict against them (a pinned leg then carries another layer,
 * or a rung's segments are cut apart from the others'), back to the layers once they have qualified for
 * 30 s (longer after each return). The keyframes are judged only in layers mode, from its start: while
 * encoded, only the top layer is asked for keyframes on the boundaries.
 */
export class LayersMonitor {
  private readonly policy: TopRungPolicy;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  /** Each layer's media time when the layers last became the rungs; undefined while encoded. */
  private sinceS: number[] | undefined;
  /** The layers as measured at each sample of the last FRAME_RATE_WINDOW_MS, oldest first. */
  private readonly history: Array<{ atMs: number; layers: readonly LayerReading[] }> = [];

  constructor(private readonly o: LayersMonitorOptions) {
    this.now = o.now ?? Date.now;
    this.policy = new TopRungPolicy(o.setting, this.verdict(), this.now());
    this.mark();
  }

  get state(): LayersState {
    const { mode, reason } = this.policy.state;
    return { mode: mode === 'copy' ? 'layers' : 'encode', reason };
  }

  start(): void {
    this.timer ??= setInterval(() => this.sample(), SAMPLE_MS).unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Checks the layers now (the timer's job; tests call it directly). */
  sample(): void {
    if (!this.policy.observe(this.verdict(), this.now())) return;
    this.mark();
    this.o.onChange(this.state);
  }

  private mark(): void {
    this.sinceS = this.state.mode === 'layers' ? this.o.simulcast.readLayers().map((l) => l.mediaTimeS) : undefined;
  }

  private verdict(): TopRungVerdict {
    const { simulcast, fps } = this.o;
    const layers = simulcast.readLayers();
    const nowMs = this.now();
    this.history.push({ atMs: nowMs, layers });
    while (nowMs - this.history[0]!.atMs > FRAME_RATE_WINDOW_MS) this.history.shift();
    const earlier = this.history[0]!.layers;
    const missing = simulcast.unavailable() ?? (layers.length === simulcast.layers.length ? undefined : 'the publisher is away');
    return judgeLayers({ expected: simulcast.layers, layers, earlier, missing, fps, sinceS: this.sinceS });
  }
}
