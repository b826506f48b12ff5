import type { SimulcastSource } from '../session/ingest.js';
import type { RunMode } from './layer-ladder.js';
import type { TopRungSetting } from './top-rung.js';
import { TopRungPolicy } from './top-rung-policy.js';

/** Often enough that a layer gone from under its rung is noticed within a frame's worth of parts. */
const SAMPLE_MS = 500;

/** The mode of a simulcast broadcast's runs, and why, in plain words. */
export interface LayersState {
  mode: Extract<RunMode, 'layers' | 'encode'>;
  reason: string;
}

export interface LayersMonitorOptions {
  simulcast: SimulcastSource;
  setting: TopRungSetting;
  /** The mode changed: the transcoder restarts FFmpeg in it. */
  onChange(state: LayersState): void;
  now?: () => number;
}

/**
 * Beside a broadcast whose rungs are its publisher's simulcast layers: checks every SAMPLE_MS that every
 * layer is still received, and keeps the broadcast's mode with the top rung's hysteresis (top-rung-policy.ts):
 * encoded from the top layer at the first layer gone (a pinned leg then carries another layer, whose
 * size is not its rung's), back to the layers once all of them have come for 30 s (longer after each return).
 */
export class LayersMonitor {
  private readonly policy: TopRungPolicy;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: LayersMonitorOptions) {
    this.now = o.now ?? Date.now;
    this.policy = new TopRungPolicy(o.setting, this.verdict(), this.now());
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
    if (this.policy.observe(this.verdict(), this.now())) this.o.onChange(this.state);
  }

  private verdict() {
    const missing = this.o.simulcast.unavailable();
    if (missing) return { qualifies: false, reason: missing };
    const sizes = this.o.simulcast.layers.map((l) => `${l.width}x${l.height}`).join(', ');
    return { qualifies: true, reason: `the publisher's H.264 simulcast layers (${sizes}) are the rungs, copied as they come` };
  }
}
