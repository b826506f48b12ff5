import { PublishRefusedError } from './publish-refused.js';

/**
 * The one check every ingest (studio, WHIP, RTMP) makes before it accepts anything from a publisher.
 * 'disabled' is answered only to the right key: a wrong key learns nothing about the livestream.
 */
export type PublishAuthResult = 'ok' | 'unknown_livestream' | 'wrong_key' | 'disabled';
export type PublishAuthRefusal = Exclude<PublishAuthResult, 'ok'>;

export interface PublishAuthorizer {
  /** Compares the key in constant time. */
  authorizePublish(livestreamId: string, streamKey: string): Promise<PublishAuthResult>;
}

export interface ResolvedStreamKey {
  livestreamId: string;
  result: Extract<PublishAuthResult, 'ok' | 'disabled'>;
}

/** For protocols that carry only the key (RTMP: rtmp://host/live/<streamKey>). */
export interface StreamKeyResolver {
  /** The livestream whose current key this is, and whether it takes a publish; undefined for a wrong, rotated or deleted key. */
  resolveStreamKey(streamKey: string): Promise<ResolvedStreamKey | undefined>;
}

export const publishAuthMessages: Record<PublishAuthRefusal, string> = {
  unknown_livestream: 'No livestream with this id',
  wrong_key: 'Wrong stream key',
  disabled: 'This livestream is disabled: its owner must enable it before it can go live',
};

/** The refusal of a key check that failed; its code is the result's own name. */
export const publishAuthRefusal = (result: PublishAuthRefusal) => new PublishRefusedError(result, publishAuthMessages[result]);
