import type { TopRungSetting } from '../../../shared/livestream.js';
import type { IngestProtocol } from '../session/ingest.js';
import { type IngestMeter, type IngestReading, NO_READING } from '../session/ingest-health.js';
import type { Rung } from './ladder.js';
import { judgeTopRung, type TopRungEvidence } from './top-rung.js';
import { TopRungPolicy, type TopRungState } from './top-rung-policy.js';

/** Often enough that a copied top rung stops at most about a frame's worth of segments after a missed boundary. */
const SAMPLE_MS = 500;
/**
 * The frame rate is judged over at least this much media time: counted over a window of T seconds it is
 * off by up to a frame per T, so 1 s of a returning 30 fps publisher read as 31.7 fps and switched a
 * qualifying source to encoding. The rate is counted from the publish's first frame, and a browser sends
 * fewer frames while its encoder starts: Chromium's fake 1280x720 camera at 30 fps read 28.9 fps over its
 * first 4 s (a 720p studio publish copied at go-live went back to encoding for 30 s), 29.5 over 6.3 s. Over
 * four GOPs both errors are well within the 1 fps the judgement allows.
 */
const FRAME_RATE_WINDOW_S = 8;

export interface TopRungMonitorOptions {
  protocol: IngestProtocol;
  meter: IngestMeter | undefined;
  /** The top rung as planned: the size a copied source must have. */
  top: Rung;
  setting: TopRungSetting;
  /** The mode changed: the transcoder restarts FFmpeg in it. */
  onChange(state: TopRungState): void;
  now?: () => number;
}

/** Beside a broadcast: judges its source from the ingest's meter every SAMPLE_MS and keeps the top rung's mode. */
export class TopRungMonitor {
  private readonly policy: TopRungPolicy;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: TopRungMonitorOptions) {
    this.now = o.now ?? Date.now;
    this.policy = new TopRungPolicy(o.setting, this.verdict(), this.now());
  }

  get state(): TopRungState {
    return this.policy.state;
  }

  /** The latest reading of the meter, for what the copied top rung declares (its SPS, its bitrate). */
  reading(): IngestReading {
    return this.o.meter?.read() ?? NO_READING;
  }

  start(): void {
    this.timer ??= setInterval(() => this.sample(), SAMPLE_MS).unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Judges the source now (the timer's job; tests call it directly). */
  sample(): void {
    const changed = this.policy.observe(this.verdict(), this.now());
    if (changed) this.o.onChange(changed);
  }

  private verdict() {
    return judgeTopRung(evidence(this.o.protocol, this.reading()), this.o.top);
  }
}

export function evidence(protocol: IngestProtocol, r: IngestReading): TopRungEvidence {
  return {
    protocol,
    videoCodec: r.videoCodec,
    h264: r.h264,
    keyframesAtS: r.keyframesAtS,
    mediaTimeS: r.mediaTimeS,
    frameRate: r.mediaTimeS >= FRAME_RATE_WINDOW_S && r.frames > 1 ? (r.frames - 1) / r.mediaTimeS : null,
    reordered: r.reordered ?? false,
    layers: r.layers ?? 1,
  };
}
