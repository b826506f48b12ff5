/** The one check every ingest (studio, WHIP, RTMP) makes before it accepts anything from a publisher. */
export type PublishAuthResult = 'ok' | 'unknown_livestream' | 'wrong_key';

export interface PublishAuthorizer {
  /** Compares the key in constant time. */
  authorizePublish(livestreamId: string, streamKey: string): PublishAuthResult;
}

/** For protocols that carry only the key (RTMP: rtmp://host/live/<streamKey>). */
export interface StreamKeyResolver {
  /** The livestream whose current key this is; undefined for a wrong, rotated or deleted key. */
  findLivestreamIdByStreamKey(streamKey: string): string | undefined;
}

export const publishAuthMessages: Record<Exclude<PublishAuthResult, 'ok'>, string> = {
  unknown_livestream: 'No livestream with this id',
  wrong_key: 'Wrong stream key',
};
