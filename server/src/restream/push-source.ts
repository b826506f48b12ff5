import type { Logger } from '../log.js';
import { audioRenditionId, videoRenditionId } from '../media/media-layout.js';
import type { IngestSource, SourceVideo } from '../session/ingest.js';
import type { Ladder } from '../transcode/ladder.js';
import { type PushInput, passthroughInput } from './push-input.js';
import { type FedSegment, RungFeed } from './rung-feed.js';

/** What a broadcast offers its restream pushes. StreamSession is one. */
export interface RestreamableBroadcast {
  readonly livestreamId: string;
  readonly ingest: Pick<IngestSource, 'video' | 'openPassthroughInput'>;
  readonly ladder: Ladder;
  on(event: 'segment', listener: (segment: FedSegment) => void): unknown;
  off(event: 'segment', listener: (segment: FedSegment) => void): unknown;
}

/** Where a broadcast's pushes take their media from, decided once per broadcast. */
export interface PushSource {
  readonly kind: 'passthrough' | 'rung';
  /** A fresh input for one push; rejects once the broadcast has ended. */
  open(): Promise<PushInput>;
  /** The broadcast ended: every input ends, and no new one opens. */
  close(): void;
}

const shortSide = (v: Pick<SourceVideo, 'width' | 'height'>) => Math.min(v.width, v.height);

/**
 * The publisher's own stream when it is H.264 FFmpeg can copy (RTMP) and no taller than `maxHeight`; else
 * the highest rung within `maxHeight` (the lowest when none is), read from the segments the transcoder
 * writes anyway. Either way no push decodes or encodes video.
 */
export function choosePushSource(broadcast: RestreamableBroadcast, maxHeight: number, log: Logger): PushSource {
  const { ingest, ladder } = broadcast;
  if (ingest.openPassthroughInput && shortSide(ingest.video) <= maxHeight) {
    const open = ingest.openPassthroughInput.bind(ingest);
    return { kind: 'passthrough', open: async () => passthroughInput(await open()), close: () => undefined };
  }
  const fitting = ladder.rungs.findIndex((rung) => shortSide(rung) <= maxHeight);
  const rung = fitting === -1 ? ladder.rungs.length - 1 : fitting;
  const feed = new RungFeed(videoRenditionId(rung), audioRenditionId(ladder), log);
  const offer = (segment: FedSegment) => feed.offer(segment);
  broadcast.on('segment', offer);
  let ended = false;
  return {
    kind: 'rung',
    open: async () => {
      if (ended) throw new Error('the broadcast ended');
      return feed.open();
    },
    close: () => {
      ended = true;
      broadcast.off('segment', offer);
      feed.close();
    },
  };
}
