import { SEGMENT_DURATION_S } from '../../../shared/constants.js';
import { RUN_FILE_TEMPLATES } from '../media/media-layout.js';
import type { AudioRendition, Ladder, Rung } from './ladder.js';
import { MAXRATE_FACTOR } from './ladder.js';
import { partDurationS } from './part-duration.js';
import type { TopRungMode } from './top-rung.js';

export interface TranscodeArgsOptions {
  /** FFmpeg arguments that open the source (from the ingest). */
  inputArgs: string[];
  hasAudio: boolean;
  ladder: Ladder;
  x264Preset: string;
  /** Directory of this FFmpeg run; FFmpeg's own manifest and the CMAF segments go there. */
  runDir: string;
  /**
   * copy: the top rung is the source's own H.264 (top-rung.ts decided it qualifies) and the lower rungs
   * take their keyframes from the source's; encode (the default): every rung is encoded.
   */
  topRung?: TopRungMode;
}

/**
 * The one place that builds the transcoder's FFmpeg command: one decode, one scaler chain per rung,
 * x264 with keyframes exactly every SEGMENT_DURATION_S (aligned across rungs because every rung sees the
 * same constant-rate frames), AAC, and FFmpeg's dash muxer writing CMAF segments. FFmpeg's own manifest
 * is only read by Axon's packager, which writes the public HLS and DASH manifests.
 *
 * Each segment is written as fragments (moof + mdat) of one part duration, and in streaming mode the
 * muxer appends each fragment to the segment's file (`<name>.tmp`, renamed when the segment is complete)
 * as soon as it is cut: the packager reads the parts of LL-HLS and the chunks of LL-DASH from that
 * growing file, and the complete segment is the same file standard HLS, DASH and the recording read.
 */
export function buildTranscodeArgs(o: TranscodeArgsOptions): string[] {
  const { rungs, audio } = o.ladder;
  if (rungs.length === 0) throw new Error('a ladder needs at least one rung');
  const copyTop = o.topRung === 'copy';
  const fps = rungs[0]!.fps;
  const gop = fps * SEGMENT_DURATION_S;
  // Output stream i is rung i (the packager names renditions by stream index): a copied top rung comes first.
  const encoded = rungs.map((r, i) => ({ r, i })).slice(copyTop ? 1 : 0);

  const args = [...RUN_PREAMBLE];
  args.push(...sourceThreadArgs(rungs[0]!), ...o.inputArgs, ...silenceInputArgs(o.hasAudio, audio));

  if (encoded.length > 0) {
    // Beside a copied top rung the encoded rungs keep the source's own frames and timestamps (its keyframes
    // at 29.97 fps stay theirs); otherwise every rung gets the ladder's constant rate.
    const resample = copyTop ? '' : `fps=${fps},`;
    const split = `[0:v:0]${resample}setsar=1,split=${encoded.length}${encoded.map(({ i }) => `[s${i}]`).join('')}`;
    // Fit inside the rung and pad: a source that changes aspect mid-stream keeps every rung's size.
    const scalers = encoded.map(
      ({ r, i }) =>
        `[s${i}]scale=${r.width}:${r.height}:force_original_aspect_ratio=decrease:force_divisible_by=2,` +
        `pad=${r.width}:${r.height}:-1:-1,format=yuv420p[v${i}]`,
    );
    args.push('-filter_complex', [split, ...scalers].join(';'));
  }
  if (copyTop) args.push('-map', '0:v:0', '-c:v:0', 'copy', '-bsf:v:0', FIRST_COPIED_PACKET_AT_ZERO);
  for (const { r, i } of encoded) {
    args.push(
      '-map', `[v${i}]`,
      `-c:v:${i}`, 'libx264',
      `-b:v:${i}`, String(r.videoBitrate),
      `-maxrate:v:${i}`, String(Math.round(r.videoBitrate * MAXRATE_FACTOR)),
      `-bufsize:v:${i}`, String(r.videoBitrate * SEGMENT_DURATION_S),
      `-level:v:${i}`, (r.level / 10).toFixed(1),
    );
    if (i > 0 && r.width * r.height <= ONE_THREAD_MAX_PIXELS) args.push(`-threads:v:${i}`, '1');
    // A copied stream has no encoder to take a profile, and keeps the aspect its SPS declares.
    if (copyTop) args.push(`-profile:v:${i}`, 'high', `-aspect:v:${i}`, `${rungs[0]!.width}:${rungs[0]!.height}`);
  }
  if (encoded.length > 0) {
    args.push('-preset', o.x264Preset, '-tune', 'zerolatency');
    if (!copyTop) args.push('-profile:v', 'high');
    args.push(
      '-g', String(gop),
      '-keyint_min', String(gop),
      '-sc_threshold', '0',
      '-force_key_frames', copyTop ? followSourceKeyframes(fps) : `expr:gte(t,n_forced*${SEGMENT_DURATION_S})`,
    );
  }
  args.push(...audioArgs(o.hasAudio, audio));
  // Rungs rounded to even sizes (854x480 for 16:9) differ slightly in shape; the dash muxer refuses an
  // adaptation set whose display aspect ratios conflict, so every rung is flagged with the top rung's.
  if (!copyTop) args.push('-aspect', `${rungs[0]!.width}:${rungs[0]!.height}`);
  args.push(...dashOutputArgs(o.runDir, fps, copyTop ? keyframeSpacing(fps) : SEGMENT_DURATION_S));
  return args;
}

export interface LayerArgsOptions {
  /** FFmpeg arguments that open the source: one video stream per simulcast layer, top first, then the audio. */
  inputArgs: string[];
  hasAudio: boolean;
  /** The layer ladder (layer-ladder.ts): rung i is video stream i of the input. */
  ladder: Ladder;
  runDir: string;
}

/**
 * FFmpeg packaging a simulcast publisher's layers as the ladder's rungs without decoding them: each layer
 * copied into its rung, the audio encoded once. The publisher keys every layer on the same requests (the
 * keyframe clock), and the layers' keyframes share a capture time, so each rung's segments are cut at the
 * same keyframes, with the copied top rung's spacing (keyframeSpacing). The rungs keep the aspect the
 * top layer declares: the dash muxer refuses an adaptation set whose display aspect ratios conflict.
 */
export function buildLayerArgs(o: LayerArgsOptions): string[] {
  const { rungs, audio } = o.ladder;
  if (rungs.length === 0) throw new Error('a ladder needs at least one rung');
  const fps = rungs[0]!.fps;
  const aspect = `${rungs[0]!.width}:${rungs[0]!.height}`;
  const args = [...RUN_PREAMBLE, ...o.inputArgs, ...silenceInputArgs(o.hasAudio, audio)];
  rungs.forEach((_, i) => args.push('-map', `0:v:${i}`, `-c:v:${i}`, 'copy', `-aspect:v:${i}`, aspect));
  args.push(...audioArgs(o.hasAudio, audio), ...dashOutputArgs(o.runDir, fps, keyframeSpacing(fps)));
  return args;
}

/**
 * A lower rung this small is encoded on one thread: with -tune zerolatency x264 splits each frame into one
 * slice per thread, and on a picture of 480p or less that costs more CPU in total than it spreads (and a
 * little quality at each slice boundary): bench/README.md, "Where passthrough's CPU goes", measured beside
 * the default. The top rung keeps x264's threads, so it stays real time.
 */
const ONE_THREAD_MAX_PIXELS = 854 * 480;

/**
 * A source up to 1080p is decoded and scaled on one thread: FFmpeg's default frame-threaded decoder holds
 * a frame per extra thread (latency) and, like the scalers' slice threads, costs more CPU in total than it
 * spreads, while one thread does both for 1080p30 with room to spare (measured as above). A larger source
 * keeps the defaults, so its decode and scaling cannot hold back the ladder.
 */
function sourceThreadArgs(source: Rung): string[] {
  return source.width * source.height <= 1920 * 1080 ? ['-filter_complex_threads', '1', '-threads', '1'] : [];
}

/**
 * The copied top rung's first packet gets the time 0 the encoded rungs give the same frame. FFmpeg 5.1's RTP
 * H.264 reader hands on the first frame without a timestamp (its parser assembles it before the stream's
 * frame rate is known); the decoder of the encoded rungs dates it 0, but ffmpeg.c's stream copy takes its
 * input stream's predicted dts, which the decoding of the same stream (on one thread: sourceThreadArgs)
 * leaves unset when the SPS states no frame rate (a browser's). The copy wrote INT64_MIN rescaled, the dash
 * muxer made the next packet's duration from it, and the mp4 muxer refused that (the run ended). Every later
 * packet has its RTP time, and an RTMP source's all have theirs: this leaves them as they are.
 */
const FIRST_COPIED_PACKET_AT_ZERO = "setts=pts='if(eq(PTS,NOPTS),0,PTS)':dts='if(eq(PTS,NOPTS),0,DTS)'";

/** Every run reports its progress on stdout once a second (ffmpeg-progress.ts) and only warnings on stderr. */
const RUN_PREAMBLE = ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1', '-stats_period', '1'];

/** A source without audio gets silence as a second input, so every output has audio. */
function silenceInputArgs(hasAudio: boolean, audio: AudioRendition): string[] {
  return hasAudio ? [] : ['-f', 'lavfi', '-i', `anullsrc=channel_layout=stereo:sample_rate=${audio.sampleRate}`];
}

/** The one AAC rendition, from the source's audio or the silence input. */
function audioArgs(hasAudio: boolean, audio: AudioRendition): string[] {
  const args = [
    '-map', hasAudio ? '0:a:0' : '1:a:0',
    '-c:a', 'aac',
    '-b:a', String(audio.bitrate),
    '-ar', String(audio.sampleRate),
    '-ac', String(audio.channels),
    // Fills RTP gaps and small clock drift with silence/resampling so audio never falls out of sync.
    '-af', 'aresample=async=1000',
  ];
  if (!hasAudio) args.push('-shortest');
  return args;
}

/** FFmpeg's dash muxer writing the run's CMAF segments, cut at the first keyframe `segmentS` after the last cut. */
function dashOutputArgs(runDir: string, fps: number, segmentS: number): string[] {
  return [
    '-f', 'dash',
    '-seg_duration', segmentS === SEGMENT_DURATION_S ? String(segmentS) : segmentS.toFixed(4),
    '-frag_type', 'duration',
    '-frag_duration', String(partDurationS(fps)),
    '-use_template', '1',
    '-use_timeline', '1',
    // FFmpeg lists a short window; Axon's packager keeps the real (DVR) window and deletes old segments.
    '-window_size', '10',
    '-extra_window_size', '1000000000',
    '-remove_at_exit', '0',
    '-streaming', '1',
    '-format_options', 'movflags=cmaf',
    '-adaptation_sets', 'id=0,streams=v id=1,streams=a',
    '-init_seg_name', RUN_FILE_TEMPLATES.init,
    '-media_seg_name', RUN_FILE_TEMPLATES.media,
    `${runDir}/${RUN_FILE_TEMPLATES.manifest}`,
  ];
}

/**
 * Copied, the top rung cuts its segments at the source's keyframes, which top-rung.ts only accepts on
 * every 2 s boundary within half a frame: the encoded rungs force theirs on the first frame at least 2 s
 * less half a frame after their previous one, which is the same frame, also when the source's clock runs
 * at 29.97 fps or its timestamps are rounded to milliseconds (`n_forced*2` would drift off it). FFmpeg
 * 5.1's `-force_key_frames source` was measured to force them one frame late.
 */
function followSourceKeyframes(fps: number): string {
  return `expr:if(isnan(prev_forced_t),1,gte(t,prev_forced_t+${keyframeSpacing(fps).toFixed(4)}))`;
}

/**
 * How far apart a copied source's boundary keyframes may be, at the least: 2 s less half a frame, the
 * judge's tolerance. FFmpeg 5.1's dash muxer (dashenc.c, use_timeline) cuts a segment at the first
 * keyframe whose pts is at least -seg_duration after the segment's start: at 2 s a keyframe 1,999 ms after
 * the previous (RTMP's millisecond rounding, a browser's RTP clock) would be passed over and the copied
 * rung's segment would last 4 s while the encoded rungs cut theirs at that frame. So the copied ladder's
 * segments are cut at the same spacing the encoded rungs force their keyframes at.
 */
const keyframeSpacing = (fps: number) => SEGMENT_DURATION_S - 0.5 / fps;

/** Thumbnails are this wide at most (narrower rungs keep their width): enough for a card, a poster, a link preview. */
export const THUMBNAIL_MAX_WIDTH = 640;

/**
 * FFmpeg turning one CMAF segment (its init segment and the segment itself, on stdin) into a JPEG on
 * stdout: only the first frame is decoded, and a segment starts with a keyframe, so it costs one frame's
 * decode however long the segment is.
 */
export function buildThumbnailArgs(): string[] {
  return [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    '-f', 'mp4', '-i', 'pipe:0',
    '-map', '0:v:0',
    '-frames:v', '1',
    '-vf', `scale='min(${THUMBNAIL_MAX_WIDTH},iw)':-2`,
    '-q:v', '4',
    '-f', 'image2pipe', '-c:v', 'mjpeg',
    'pipe:1',
  ];
}
