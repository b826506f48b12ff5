import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import type { IngestSource, MediaInput } from '../session/ingest.js';
import { buildLayerArgs, buildTranscodeArgs } from './ffmpeg-args.js';
import type { FfmpegProgress } from './ffmpeg-progress.js';
import { type FfmpegExit, FfmpegRun } from './ffmpeg-run.js';
import type { Ladder } from './ladder.js';
import { RestartBackoff, type RestartBackoffOptions } from './restart-backoff.js';
import type { RunMode } from './layer-ladder.js';

export interface TranscoderOptions {
  ingest: IngestSource;
  ladder: Ladder;
  ffmpegPath: string;
  x264Preset: string;
  /**
   * Creates the directory of run `index` (1, 2, ...) and returns its path. `originArrival` tells, once
   * FFmpeg has its first frame, when that frame reached Axon (MediaInput.originArrival).
   */
  startRun(index: number, originArrival: () => Date | undefined): Promise<string>;
  /** Called after run `index`'s FFmpeg has exited. */
  endRun(index: number): Promise<void>;
  log: Logger;
  /** How failed runs are retried, and how many in how short a time end the broadcast. */
  backoff?: RestartBackoffOptions;
  /**
   * How the next run makes the ladder: the top rung's mode (top-rung-monitor.ts), or `layers` for a
   * simulcast source's layers as the rungs (the ingest's `simulcast`); everything encoded when absent.
   */
  runMode?: () => RunMode;
}

interface TranscoderEvents {
  /** FFmpeg could not be kept running: the broadcast cannot continue. */
  failed: [reason: string];
  /** Run `index` is about to start in `mode` (before the packager learns of the run). */
  run: [index: number, mode: RunMode];
}

/** How the broadcast's transcode keeps up, from FFmpeg's latest progress report. */
export interface TranscodeProgress {
  /** The run (1, 2, ...) that reported it. */
  readonly run: number;
  /** Encoding speed relative to real time: below 1 the broadcast falls behind its publisher. */
  readonly speed: number;
  readonly fps: number;
  /** Frames FFmpeg dropped to hold the ladder's frame rate, over every run of the broadcast. */
  readonly droppedFrames: number;
  /** Frames FFmpeg repeated to hold it (a source slower than the ladder), over every run. */
  readonly duplicatedFrames: number;
}

/**
 * The broadcast's FFmpeg supervisor: starts one FfmpegRun at a time, and when a run ends while the
 * broadcast goes on, starts the next one (at once after an input that ended, after a growing pause
 * after a failure) until too many fail. Each run is a new directory for the packager.
 */
export class Transcoder extends EventEmitter<TranscoderEvents> {
  /** The latest run, until its input is released. */
  private current: FfmpegRun | null = null;
  /** Settles once the latest run's end is handled (the packager told, the next run decided). */
  private currentEnded: Promise<void> = Promise.resolve();
  private runIndex = 0;
  private stopping = false;
  /** The current run is being stopped to start the next one in another mode. */
  private switching = false;
  private readonly backoff: RestartBackoff;
  private restartTimer: NodeJS.Timeout | undefined;
  private latest: TranscodeProgress | null = null;
  /** FFmpeg counts dropped and repeated frames from zero in each run: these are the ended runs' totals. */
  private endedRuns = { droppedFrames: 0, duplicatedFrames: 0 };

  constructor(private readonly o: TranscoderOptions) {
    super();
    this.backoff = new RestartBackoff(o.backoff);
  }

  get pid(): number | undefined {
    return this.current?.pid;
  }

  get restarts(): number {
    return Math.max(0, this.runIndex - 1);
  }

  /** Null until FFmpeg's first report; between runs, the last run's. */
  get progress(): TranscodeProgress | null {
    return this.latest;
  }

  async start(): Promise<void> {
    await this.startRun();
  }

  /** Stops FFmpeg gracefully (so it flushes its last segment) and releases the source's input. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.current?.stop();
    await this.currentEnded;
    await this.current?.close();
  }

  /**
   * Restarts FFmpeg at once so the next run takes the new mode (runMode): the packager marks the change
   * as a discontinuity, as any new run.
   */
  async switchMode(): Promise<void> {
    if (this.stopping || this.switching || !this.current) return;
    this.switching = true;
    await this.current.stop();
  }

  private async startRun(): Promise<void> {
    if (this.stopping) return;
    const index = ++this.runIndex;
    const simulcast = this.o.ingest.simulcast;
    const requested = this.o.runMode?.() ?? 'encode';
    const mode = requested === 'layers' && !simulcast ? 'encode' : requested;
    let input: MediaInput;
    try {
      input = await (mode === 'layers' ? simulcast!.openInput() : this.o.ingest.openInput());
    } catch (err) {
      this.emit('failed', `could not open the source: ${(err as Error).message}`);
      return;
    }
    this.emit('run', index, mode);
    const runDir = await this.o.startRun(index, () => input.originArrival?.());
    if (this.stopping) {
      await input.close();
      return;
    }
    const log = this.o.log.child(`run${index}`);
    const source = { inputArgs: input.ffmpegInputArgs, hasAudio: input.hasAudio, ladder: this.o.ladder, runDir };
    const args = mode === 'layers' ? buildLayerArgs(source) : buildTranscodeArgs({ ...source, x264Preset: this.o.x264Preset, topRung: mode });
    const run = new FfmpegRun({ ffmpegPath: this.o.ffmpegPath, args, input, log, onProgress: (p) => this.record(index, p) });
    this.current = run;
    this.currentEnded = run.exited.then((exit) => this.runEnded(index, run, exit, log));
    await run.start();
  }

  private async runEnded(index: number, run: FfmpegRun, { code, signal, producedOutput, stderrTail, inputEnded }: FfmpegExit, log: Logger): Promise<void> {
    if (this.latest) this.endedRuns = { droppedFrames: this.latest.droppedFrames, duplicatedFrames: this.latest.duplicatedFrames };
    await this.o.endRun(index);
    if (this.stopping) {
      log.info('ffmpeg stopped', { code, signal });
      return;
    }
    // Exit 0 after output is FFmpeg reaching the end of its input (an RTMP publisher dropped), and a run
    // stopped because its input ended (a WebRTC publisher dropped) did not fail either: the source decides
    // whether the broadcast goes on, and a new run waits for it at once. Anything else failed.
    const switched = this.switching;
    this.switching = false;
    const failed = !switched && !inputEnded && (code !== 0 || !producedOutput);
    if (switched) log.info('ffmpeg stopped to change the ladder mode; starting a new run');
    else if (!failed) log.info('ffmpeg input ended; starting a new run');
    else log.error('ffmpeg exited mid-broadcast', { code, signal, stderr: stderrTail.join('\n') });
    await run.close();
    this.current = null;
    const delayMs = failed ? this.backoff.fail() : 0;
    if (delayMs === undefined) {
      const why = stderrTail.at(-1) ?? `exit ${code ?? signal}`;
      this.emit('failed', `ffmpeg failed ${this.backoff.recentFailures} times within ${this.backoff.windowS} s: ${why}`);
      return;
    }
    if (failed) log.warn('restarting ffmpeg', { inMs: delayMs, recentFailures: this.backoff.recentFailures });
    this.restartTimer = setTimeout(() => void this.startRun(), delayMs);
  }

  private record(run: number, p: FfmpegProgress): void {
    this.latest = Object.freeze({
      run,
      speed: p.speed,
      fps: p.fps,
      droppedFrames: this.endedRuns.droppedFrames + p.dropFrames,
      duplicatedFrames: this.endedRuns.duplicatedFrames + p.dupFrames,
    });
  }
}
