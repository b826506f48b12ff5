import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Logger } from '../log.js';
import type { MediaInput } from '../session/ingest.js';
import { type FfmpegProgress, ProgressParser } from './ffmpeg-progress.js';

export interface FfmpegRunOptions {
  ffmpegPath: string;
  args: string[];
  /** The source as this run reads it: the run starts it, asks it for keyframes and releases it. */
  input: MediaInput;
  log: Logger;
  /** Every progress block FFmpeg reports. */
  onProgress(progress: FfmpegProgress): void;
}

/** How a run's FFmpeg ended. */
export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether FFmpeg had put out a frame before it exited. */
  producedOutput: boolean;
  /** FFmpeg's last lines on stderr: its own account of a failure. */
  stderrTail: string[];
  /** Stopped because its input ended (MediaInput.ended), not by the transcoder or by itself. */
  inputEnded: boolean;
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
 * One FFmpeg process and the input it reads, from spawn to exit: parses its progress, keeps the tail of
 * its errors and asks the source for keyframes until output starts. It never restarts itself: whether
 * another run follows is the Transcoder's decision.
 */
export class FfmpegRun {
  /** Resolves once the process has exited and its pipes are closed. */
  readonly exited: Promise<FfmpegExit>;
  private readonly child: ChildProcessWithoutNullStreams;
  private running = true;
  private producedOutput = false;
  private inputEnded = false;
  private readonly stderrTail: string[] = [];

  constructor(private readonly o: FfmpegRunOptions) {
    const { input, log } = o;
    log.debug('spawning ffmpeg', { args: o.args.join(' ') });
    const child = spawn(o.ffmpegPath, o.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    if (input.attachStdin) input.attachStdin(child.stdin);
    else child.stdin.end();
    const keyframes = setInterval(() => input.requestKeyFrame(), KEYFRAME_REQUEST_MS);
    const parser = new ProgressParser();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      for (const p of parser.push(chunk)) {
        if (p.frame > 0 && !this.producedOutput) {
          this.producedOutput = true;
          clearInterval(keyframes);
          log.info('ffmpeg is producing output', { pid: child.pid });
        }
        o.onProgress(p);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.readStderr(chunk));
    child.on('error', (err) => log.error('ffmpeg could not start', { err, path: o.ffmpegPath }));
    void input.ended?.then(() => {
      if (!this.running) return;
      this.inputEnded = true;
      void this.stop();
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        clearInterval(keyframes);
        this.running = false;
        resolve({ code, signal, producedOutput: this.producedOutput, stderrTail: [...this.stderrTail], inputEnded: this.inputEnded });
      });
    });
  }

  /** Undefined once FFmpeg has exited. */
  get pid(): number | undefined {
    return this.running ? this.child.pid : undefined;
  }

  /** Starts the source: FFmpeg listens on the source's ports once spawned, so no keyframe is lost. */
  async start(): Promise<void> {
    await this.o.input.start();
    this.o.input.requestKeyFrame();
  }

  /** Stops FFmpeg gracefully (so it flushes its last segment), forcibly when it does not stop in time. */
  async stop(): Promise<FfmpegExit> {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const again = setTimeout(() => child.kill('SIGINT'), SECOND_SIGINT_MS);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(again);
      clearTimeout(timer);
    }
    return this.exited;
  }

  /** Releases what the run's input holds (ports, consumers, a pipe). Idempotent. */
  close(): Promise<void> {
    return this.o.input.close();
  }

  private readStderr(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
      this.o.log.debug('ffmpeg', { line });
    }
  }
}
