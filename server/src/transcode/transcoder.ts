import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import type { IngestSource, MediaInput } from '../session/ingest.js';
import { buildTranscodeArgs } from './ffmpeg-args.js';
import { type FfmpegProgress, ProgressParser } from './ffmpeg-progress.js';
import type { Ladder } from './ladder.js';
import { RestartBackoff, type RestartBackoffOptions } from './restart-backoff.js';

export interface TranscoderOptions {
  ingest: IngestSource;
  ladder: Ladder;
  ffmpegPath: string;
  x264Preset: string;
  /** Creates the directory of run `index` (1, 2, ...) and returns its path. */
  startRun(index: number): Promise<string>;
  /** Called after run `index`'s FFmpeg has exited. */
  endRun(index: number): Promise<void>;
  log: Logger;
  /** How failed runs are retried, and how many in how short a time end the broadcast. */
  backoff?: RestartBackoffOptions;
}

interface TranscoderEvents {
  progress: [FfmpegProgress];
  /** FFmpeg could not be kept running: the broadcast cannot continue. */
  failed: [reason: string];
}

const KEYFRAME_REQUEST_MS = 500;
const STOP_GRACE_MS = 3000;
/**
 * FFmpeg honours its first SIGINT between packets; while blocked on a source that went silent (RTP from a
 * vanished publisher) only a second one interrupts the read. Both still flush the last segment.
 */
const SECOND_SIGINT_MS = 1000;
const STDERR_TAIL_LINES = 20;

/**
 * Runs and supervises the broadcast's FFmpeg: parses its progress, logs its errors, asks the source for
 * keyframes until output starts, and restarts it (as a new run) if it dies while the broadcast goes on.
 */
export class Transcoder extends EventEmitter<TranscoderEvents> {
  private child: ChildProcessWithoutNullStreams | null = null;
  private input: MediaInput | null = null;
  private runIndex = 0;
  private stopping = false;
  private readonly backoff: RestartBackoff;
  private restartTimer: NodeJS.Timeout | undefined;
  private lastProgress: FfmpegProgress | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly o: TranscoderOptions) {
    super();
    this.backoff = new RestartBackoff(o.backoff);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get restarts(): number {
    return Math.max(0, this.runIndex - 1);
  }

  get progress(): FfmpegProgress | null {
    return this.lastProgress;
  }

  async start(): Promise<void> {
    await this.run();
  }

  /** Stops FFmpeg gracefully (so it flushes its last segment) and releases the source's input. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const again = setTimeout(() => child.kill('SIGINT'), SECOND_SIGINT_MS);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(again);
      clearTimeout(timer);
    }
    await this.exited;
    await this.input?.close();
  }

  private async run(): Promise<void> {
    if (this.stopping) return;
    const index = ++this.runIndex;
    const log = this.o.log.child(`run${index}`);
    let input: MediaInput;
    try {
      input = await this.o.ingest.openInput();
    } catch (err) {
      this.emit('failed', `could not open the source: ${(err as Error).message}`);
      return;
    }
    this.input = input;
    const runDir = await this.o.startRun(index);
    if (this.stopping) {
      await input.close();
      return;
    }
    const args = buildTranscodeArgs({
      inputArgs: input.ffmpegInputArgs,
      hasAudio: input.hasAudio,
      ladder: this.o.ladder,
      x264Preset: this.o.x264Preset,
      runDir,
    });
    log.debug('spawning ffmpeg', { args: args.join(' ') });
    const child = spawn(this.o.ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    if (input.attachStdin) input.attachStdin(child.stdin);
    else child.stdin.end();
    let resolveExit!: () => void;
    this.exited = new Promise((r) => (resolveExit = r));

    let producedFrames = false;
    const keyframes = setInterval(() => input.requestKeyFrame(), KEYFRAME_REQUEST_MS);
    const parser = new ProgressParser();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      for (const p of parser.push(chunk)) {
        this.lastProgress = p;
        if (p.frame > 0 && !producedFrames) {
          producedFrames = true;
          clearInterval(keyframes);
          log.info('ffmpeg is producing output', { pid: child.pid });
        }
        this.emit('progress', p);
      }
    });
    const stderrTail: string[] = [];
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line.trim()) continue;
        stderrTail.push(line);
        if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
        log.debug('ffmpeg', { line });
      }
    });
    child.on('error', (err) => log.error('ffmpeg could not start', { err, path: this.o.ffmpegPath }));
    child.once('close', (code, signal) => {
      clearInterval(keyframes);
      this.child = null;
      void (async () => {
        await this.o.endRun(index);
        if (this.stopping) {
          log.info('ffmpeg stopped', { code, signal });
          resolveExit();
          return;
        }
        // Exit 0 after output is FFmpeg reaching the end of its input (an RTMP publisher dropped): the source
        // decides whether the broadcast goes on, and a new run waits for it at once. Anything else failed.
        const failed = code !== 0 || !producedFrames;
        if (!failed) log.info('ffmpeg input ended; starting a new run');
        else log.error('ffmpeg exited mid-broadcast', { code, signal, stderr: stderrTail.join('\n') });
        await input.close();
        resolveExit();
        const delayMs = failed ? this.backoff.fail() : 0;
        if (delayMs === undefined) {
          const why = stderrTail.at(-1) ?? `exit ${code ?? signal}`;
          this.emit('failed', `ffmpeg failed ${this.backoff.recentFailures} times within ${this.backoff.windowS} s: ${why}`);
          return;
        }
        if (failed) log.warn('restarting ffmpeg', { inMs: delayMs, recentFailures: this.backoff.recentFailures });
        this.restartTimer = setTimeout(() => void this.run(), delayMs);
      })();
    });
    // FFmpeg is listening on the source's ports once spawned; starting the source before would lose the first keyframe.
    await input.start();
    input.requestKeyFrame();
  }
}
