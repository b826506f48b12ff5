import { SEGMENT_DURATION_S } from '../../../shared/constants.js';
import type { Part } from './growing-segment.js';

/** What a media playlist needs beyond its segments to be an LL-HLS playlist (RFC 8216bis). */
export interface LowLatencyView {
  /** PART-TARGET: no part is longer. */
  partTargetS: number;
  /** The parts of a complete segment, for the last few segments; undefined for older ones. */
  partsOf: (run: number, number: number) => readonly Part[] | undefined;
  /**
   * The segment being written: right after the playlist's last segment in the same run, or the
   * broadcast's first (the playlist then lists its parts alone, from `pdt`).
   */
  growing: { run: number; number: number; parts: readonly Part[]; pdt: Date } | undefined;
  /** Where the other renditions are, so a player switching to one asks for the right part at once. */
  reports: readonly RenditionReport[];
  /** A delta update (`_HLS_skip=YES`): segments older than the skip boundary are left out. */
  skip: boolean;
}

export interface RenditionReport {
  uri: string;
  lastMsn: number;
  lastPart: number | undefined;
}

/**
 * Complete segments listed with their parts, counting back from the newest: with the one being written,
 * parts then span at most 3 target durations, beyond which the spec has them removed.
 */
export const SEGMENTS_WITH_PARTS = 2;

/** Clients may ask for a delta update that leaves out what is older than this (at least 6 target durations). */
export const CAN_SKIP_UNTIL_S = 6 * SEGMENT_DURATION_S;

/** PART-HOLD-BACK: how far behind the newest part players start; the spec asks for at least 3 part targets. */
export const partHoldBackS = (partTargetS: number) => 3 * partTargetS;

const seconds = (s: number) => s.toFixed(5).replace(/0+$/, '').replace(/\.$/, '.0');

export function serverControlLines(partTargetS: number): string[] {
  return [
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=${seconds(CAN_SKIP_UNTIL_S)},PART-HOLD-BACK=${seconds(partHoldBackS(partTargetS))}`,
    `#EXT-X-PART-INF:PART-TARGET=${seconds(partTargetS)}`,
  ];
}

export function partLines(uri: string, parts: readonly Part[]): string[] {
  return parts.map(
    (p) => `#EXT-X-PART:DURATION=${seconds(p.durationS)},URI="${uri}",BYTERANGE="${p.length}@${p.offset}"${p.independent ? ',INDEPENDENT=YES' : ''}`,
  );
}

/** The next part: it starts where the parts written so far end. */
export function preloadHintLine(uri: string, parts: readonly Part[]): string {
  const last = parts.at(-1);
  return `#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${uri}",BYTERANGE-START=${last ? last.offset + last.length : 0}`;
}

export function renditionReportLines(reports: readonly RenditionReport[]): string[] {
  return reports.map((r) => `#EXT-X-RENDITION-REPORT:URI="${r.uri}",LAST-MSN=${r.lastMsn}${r.lastPart === undefined ? '' : `,LAST-PART=${r.lastPart}`}`);
}

/**
 * How many leading segments a delta update leaves out: those that end before the skip boundary, so what
 * it still lists covers at least CAN-SKIP-UNTIL.
 */
export function skippedSegments(durationsS: readonly number[]): number {
  let remaining = durationsS.reduce((a, b) => a + b, 0);
  let skipped = 0;
  for (const d of durationsS) {
    if (remaining - d < CAN_SKIP_UNTIL_S) break;
    remaining -= d;
    skipped += 1;
  }
  return skipped;
}
