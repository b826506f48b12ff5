import { AUDIO_PLAYLIST } from '../../server/src/media/media-layout.js';
import { listedMedia, variantUris, type ListedMedia } from './hls.js';
import type { RtmpPublisher } from './rtmp-publisher.js';
import { sampleWindow } from './sample-window.js';

const SAMPLE_MS = 100;

/** What a playlist lists, or undefined when it could not be fetched. */
export async function fetchListed(url: string): Promise<ListedMedia | undefined> {
  try {
    const response = await fetch(url);
    return response.status === 200 ? listedMedia(await response.text()) : undefined;
  } catch {
    return undefined;
  }
}

/** The publisher's media epoch, for sampleLiveEdge: it must have reported its progress by the time it is read. */
export const epochOf = (publisher: RtmpPublisher) => (): number => {
  const epoch = publisher.mediaEpochMs();
  if (epoch === undefined) throw new Error('the publisher reported no progress');
  return epoch;
};

/**
 * Samples, every SAMPLE_MS for the window, how old the newest media a viewer could fetch is: the wall
 * time now minus the moment the publisher sent the end of what the playlists list. `listedS` returns the
 * media seconds listed (from the start of the stream), or undefined when a fetch failed.
 */
export async function sampleLiveEdge(epochMs: () => number, listedS: () => Promise<number | undefined>, windowS: number): Promise<number[]> {
  const lags = await sampleWindow(SAMPLE_MS, windowS, async () => {
    const listed = await listedS();
    return listed === undefined ? undefined : (Date.now() - epochMs()) / 1000 - listed;
  });
  if (lags.length < (windowS * 1000) / SAMPLE_MS / 2) throw new Error('too few playlist samples in the window');
  return lags;
}

/** The listed media of Axon's top rung and audio: a viewer needs both, so the shorter one counts. */
function axonListed(masterUrl: string, topRungUrl: string) {
  // A broadcast numbers its segments from its start time, not 0: the first answer says where it starts.
  let firstNumbers: [number, number] | undefined;
  return async (): Promise<number | undefined> => {
    const [video, audio] = await Promise.all([fetchListed(topRungUrl), fetchListed(new URL(AUDIO_PLAYLIST, masterUrl).href)]);
    if (!video || !audio) return undefined;
    firstNumbers ??= [video.mediaSequence, audio.mediaSequence];
    for (const [m, first] of [[video, firstNumbers[0]], [audio, firstNumbers[1]]] as const) {
      // Listed durations add up to the media sent only from the first segment of one FFmpeg run on.
      if (m.mediaSequence !== first || m.discontinuities !== 0) throw new Error(`Axon's playlist no longer starts at the stream's start: ${JSON.stringify(m)}`);
    }
    return Math.min(video.durationS, audio.durationS);
  };
}

/** axonListed for the top rung of the master playlist at `masterUrl` (its first variant). */
export async function topRungListed(masterUrl: string): Promise<() => Promise<number | undefined>> {
  const master = await (await fetch(masterUrl)).text();
  const topRung = variantUris(master)[0];
  if (topRung === undefined) throw new Error(`Axon's master playlist lists no variant:\n${master}`);
  return axonListed(masterUrl, new URL(topRung, masterUrl).href);
}
