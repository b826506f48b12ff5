import { z } from 'zod';

/** A recording's id is the id of the broadcast it recorded ("b" + time + random, lower-case). */
export const recordingIdSchema = z.string().regex(/^b[0-9a-z]{6,40}$/, 'invalid recording id');

/** complete: the broadcast ended normally. interrupted: cut by a crash, a kill or a full disk (replayable up to the cut). */
export type RecordingStatus = 'complete' | 'interrupted';

/** One broadcast kept for replay: HLS (VOD playlists) and a static DASH manifest over the broadcast's CMAF segments. */
export interface Recording {
  id: string;
  status: RecordingStatus;
  startedAt: string;
  endedAt: string;
  /** Seconds of media. */
  duration: number;
  hlsUrl: string;
  dashUrl: string;
  /** The Axon player playing this recording. */
  playerUrl: string;
  /** A JPEG of the broadcast's last frame; null when it ended before one was taken. */
  thumbnailUrl: string | null;
}

export interface RecordingList {
  /** Newest first. */
  items: Recording[];
}

/** The query parameter of the watch page that plays a recording instead of the live stream. */
export const RECORDING_QUERY_PARAM = 'recording';
