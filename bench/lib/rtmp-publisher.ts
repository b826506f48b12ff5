import { ProgressParser } from '../../server/src/transcode/ffmpeg-progress.js';
import { startProcess, type OwnedProcess } from './owned-process.js';

export interface RtmpPublisher {
  process: OwnedProcess;
  /**
   * Date.now() at which the stream's media time 0 went out, once known. With -re FFmpeg sends media time t
   * at (start + t) and never earlier, and reports the media time it has sent (`out_time`) every 250 ms:
   * the smallest (report arrival − out_time) is the start, late by at most the few ms between a packet's
   * release and its report.
   */
  mediaEpochMs(): number | undefined;
  /** Media seconds sent so far. */
  sentS(): number;
  stop(): Promise<void>;
}

/**
 * FFmpeg standing in for OBS: publishes a recording in real time (-re), as it is (-c copy, so the
 * publisher costs next to no CPU), to one RTMP URL or, through the tee muxer, to several at once (the
 * same packets at the same moment to each).
 */
export function publishRtmp(file: string, urls: readonly string[]): RtmpPublisher {
  if (urls.length === 0) throw new Error('publishRtmp needs a URL');
  // A live FLV has no duration or size to write back at the end.
  const output =
    urls.length === 1
      ? ['-f', 'flv', '-flvflags', 'no_duration_filesize', urls[0]!]
      : ['-f', 'tee', urls.map((u) => `[f=flv:flvflags=no_duration_filesize]${u}`).join('|')];
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-i', file, '-map', '0', '-c', 'copy'];
  args.push('-progress', 'pipe:1', '-stats_period', '0.25', ...output);
  const process = startProcess('ffmpeg', args, { stdout: 'pipe' });
  const parser = new ProgressParser();
  let epochMs: number | undefined;
  let sentS = 0;
  process.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const arrivedMs = Date.now();
    for (const p of parser.push(chunk)) {
      sentS = p.outTimeS;
      const candidate = arrivedMs - p.outTimeS * 1000;
      if (p.outTimeS > 0 && (epochMs === undefined || candidate < epochMs)) epochMs = candidate;
    }
  });
  return {
    process,
    mediaEpochMs: () => epochMs,
    sentS: () => sentS,
    stop: () => process.stop('SIGKILL', 0),
  };
}
