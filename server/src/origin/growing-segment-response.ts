import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { GrowingSegment } from '../packager/growing-segment.js';
import type { LiveEdge } from '../packager/live-edge.js';
import { answered, type EdgeHandler, waitOnEdge } from './edge-wait.js';

/** A request for a segment that has not started is held this long (3 target durations of 2 s). */
const HOLD_MS = 6000;
/** A segment streamed while it is written could end early if FFmpeg dies: no cache keeps such an answer. */
const STREAMED = 'no-store';

type ByteRange = { start: number; end: number | undefined };

/** `bytes=S-E` or `bytes=S-`: the only forms a player asks a growing segment for; undefined for anything else. */
export function parseByteRange(header: string | undefined): ByteRange | undefined {
  const m = header === undefined ? null : /^bytes=(\d{1,15})-(\d{0,15})$/.exec(header.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === '' ? undefined : Number(m[2]);
  return end !== undefined && end < start ? undefined : { start, end };
}

/**
 * The end (exclusive) of what a range asks for, once the segment has it: an explicit end once written,
 * an open one at the end of the first part past its start (a preload hint names the next part by its
 * start only), or wherever the segment ended.
 */
function rangeEnd(seg: GrowingSegment, range: ByteRange): number | undefined {
  if (range.end !== undefined && seg.bytes.length > range.end) return range.end + 1;
  if (range.end === undefined) {
    const part = seg.parts.find((p) => p.offset + p.length > range.start);
    if (part) return part.offset + part.length;
  }
  return seg.complete ? seg.bytes.length : undefined;
}

/**
 * The segment FFmpeg writes at relPath: now, or once FFmpeg starts it when the DASH manifest announced it
 * ahead (held until then: a player's clock may ask a little before the segment before it is complete).
 * Undefined when the edge does not know it, or no longer does (it is complete on disk by then).
 */
async function growingSegment(reply: FastifyReply, edge: LiveEdge, relPath: string): Promise<GrowingSegment | undefined | 'late'> {
  const now = edge.segment(relPath);
  if (now || !edge.expects(relPath)) return now;
  const waited = await waitOnEdge(reply, edge, HOLD_MS, () => edge.segment(relPath) ?? (edge.expects(relPath) ? undefined : null));
  return 'ready' in waited ? (waited.ready ?? undefined) : 'late';
}

/**
 * A segment FFmpeg is writing, from memory. A byte range (an LL-HLS part) is answered as soon as its bytes
 * are written, held until then; a whole-segment request (LL-DASH asks for a segment before it is complete)
 * is streamed as FFmpeg writes it, chunk by chunk, until the segment is complete. False when the edge
 * does not know the segment (the origin answers from disk, or 404).
 */
export const serveGrowingSegment: EdgeHandler = async (request, reply, edge, relPath, type) => {
  const seg = await growingSegment(reply, edge, relPath);
  if (seg === 'late') return answered(notWritten(reply));
  if (!seg) return false;
  reply.header('Content-Type', type.contentType);
  const range = parseByteRange(request.headers.range);
  if (!range) {
    const started = await waitOnEdge(reply, edge, HOLD_MS, () => (seg.started ? true : undefined));
    return answered('ready' in started ? streamSegment(reply, edge, seg) : notWritten(reply));
  }

  const waited = await waitOnEdge(reply, edge, HOLD_MS, () => rangeEnd(seg, range));
  if (!('ready' in waited)) return answered(notWritten(reply));
  const end = waited.ready;
  const total = seg.complete ? String(seg.bytes.length) : '*';
  if (range.start >= end) return answered(reply.code(416).header('Content-Range', `bytes */${total}`).send());
  // Written bytes never change: this range of this segment is final.
  return answered(
    reply
      .code(206)
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('Content-Range', `bytes ${range.start}-${end - 1}/${total}`)
      .header('Content-Length', end - range.start)
      .send(seg.bytes.subarray(range.start, end)),
  );
};

function streamSegment(reply: FastifyReply, edge: LiveEdge, seg: GrowingSegment): FastifyReply {
  const body = new PassThrough();
  let sent = 0;
  const stop = () => {
    edge.off('update', pump);
    edge.off('closed', pump);
    reply.raw.off('close', stop);
  };
  function pump() {
    const bytes = seg.bytes;
    if (bytes.length > sent) {
      body.write(bytes.subarray(sent));
      sent = bytes.length;
    }
    if (seg.complete || edge.closed) {
      stop();
      body.end();
    }
  }
  edge.on('update', pump);
  edge.on('closed', pump);
  reply.raw.on('close', stop);
  pump();
  // nginx (deploy/nginx/axon-edge.conf) passes each chunk on as it comes instead of collecting the answer.
  return reply.header('Cache-Control', STREAMED).header('X-Accel-Buffering', 'no').send(body);
}

/** The wait ran out (the broadcast stalled) or the broadcast ended first: the player tries again. */
const notWritten = (reply: FastifyReply) =>
  reply.code(503).type('application/json; charset=utf-8').header('Cache-Control', 'no-store').header('Retry-After', '1').send({ error: 'not written yet' });
