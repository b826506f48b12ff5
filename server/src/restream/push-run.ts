import { type ChildProcess, spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { type FfmpegProgress, ProgressParser } from '../transcode/ffmpeg-progress.js';
import { redact } from './push-failure.js';
import type { PushInput } from './push-input.js';

export interface PushRunOptions {
  ffmpegPath: string;
  args: string[];
  input: PushInput;
  /** The stream key in `args`: it never leaves this run unredacted (log lines, the exit's words). */
  secret: string;
  log: Logger;
  /** The destination took the stream: FFmpeg has written its first frames to it. */
  onLive(): void;
  onProgress(progress: FfmpegProgress): void;
}

/** How a push's FFmpeg ended. */
export interface PushExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether the destination had taken media before the end. */
  wasLive: boolean;
  /** FFmpeg's last lines on stderr, the stream key redacted. */
  stderrTail: string[];
}

const TAIL_LINES = 12;
const KILL_AFTER_MS = 3000;
/** FFmpeg's lines are short; a runaway one is dropped whole (a part of it could hold part of the key). */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * One FFmpeg pushing to one destination, from spawn to exit. Its command line holds the stream key, so
 * nothing of it is logged, and every line FFmpeg prints is redacted before it is kept or logged. Whether
 * another push follows is the TargetPush's decision.
 */
export class PushRun {
  readonly exited: Promise<PushExit>;
  private readonly child: ChildProcess;
  private live = false;
  private readonly tail: string[] = [];
  private partial = '';

  constructor(private readonly o: PushRunOptions) {
    const pipeCount = o.input.pipes;
    this.child = spawn(o.ffmpegPath, o.args, { stdio: pipeCount === 2 ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'] });
    const pipes = [this.child.stdio[0], this.child.stdio[3]].slice(0, pipeCount) as Writable[];
    o.input.attach(pipes);
    o.log.debug('push spawned', { pid: this.child.pid, source: o.input.inputArgs.join(' ') });
    const progress = new ProgressParser();
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const p of progress.push(chunk)) this.progress(p);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.stderr(chunk));
    this.exited = new Promise((resolve) => {
      const settle = (code: number | null, signal: NodeJS.Signals | null) => {
        this.stderr('\n');
        resolve({ code, signal, wasLive: this.live, stderrTail: [...this.tail] });
      };
      this.child.once('close', settle);
      this.child.once('error', (err) => {
        this.stderr(`could not run ${o.ffmpegPath}: ${err.message}\n`);
        settle(null, null);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.exitCode === null ? this.child.pid : undefined;
  }

  start(): Promise<void> {
    return this.o.input.start();
  }

  /** Ends the source's input (FFmpeg flushes and closes the connection), killing FFmpeg if it lingers. */
  async stop(): Promise<PushExit> {
    // Not awaited first: an input still writing to a stalled FFmpeg settles only once FFmpeg is gone.
    const closing = this.o.input.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGINT');
      const kill = setTimeout(() => this.child.kill('SIGKILL'), KILL_AFTER_MS);
      await this.exited;
      clearTimeout(kill);
    }
    await closing;
    return this.exited;
  }

  private progress(p: FfmpegProgress): void {
    if (!this.live && p.frame > 0) {
      this.live = true;
      this.o.onLive();
    }
    this.o.onProgress(p);
  }

  /** Whole lines only: a key split between two chunks would escape redaction. */
  private stderr(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    const rest = lines.pop() ?? '';
    this.partial = rest.length > MAX_LINE_CHARS ? '' : rest;
    for (const raw of lines) {
      if (raw.trim() === '') continue;
      const line = redact(raw, this.o.secret);
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
      this.o.log.debug('ffmpeg', { line });
    }
  }
}
