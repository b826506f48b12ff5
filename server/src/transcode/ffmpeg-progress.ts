/** One block of FFmpeg's `-progress` output (key=value lines ending with `progress=continue|end`). */
export interface FfmpegProgress {
  frame: number;
  fps: number;
  /** Output time reached, in seconds. */
  outTimeS: number;
  /** Encoding speed relative to real time (1.0 = real time). */
  speed: number;
  dupFrames: number;
  /** Bytes written to the output so far. */
  totalSize: number;
  dropFrames: number;
  end: boolean;
}

/** Splits FFmpeg's -progress stream into blocks. Feed it chunks of stdout as they arrive. */
export class ProgressParser {
  private buffer = '';
  private fields = new Map<string, string>();

  push(chunk: string): FfmpegProgress[] {
    this.buffer += chunk;
    const out: FfmpegProgress[] = [];
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key === 'progress') {
        out.push(this.toProgress(value === 'end'));
        this.fields.clear();
      } else {
        this.fields.set(key, value);
      }
    }
    // A runaway line without a newline is not progress output; don't let it grow without bound.
    if (this.buffer.length > 64 * 1024) this.buffer = '';
    return out;
  }

  private toProgress(end: boolean): FfmpegProgress {
    const num = (key: string) => {
      const v = Number.parseFloat(this.fields.get(key) ?? '');
      return Number.isFinite(v) ? v : 0;
    };
    return {
      frame: num('frame'),
      fps: num('fps'),
      outTimeS: num('out_time_us') / 1e6,
      speed: num('speed'),
      dupFrames: num('dup_frames'),
      totalSize: num('total_size'),
      dropFrames: num('drop_frames'),
      end,
    };
  }
}
