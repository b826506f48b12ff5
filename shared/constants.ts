/** Every rendition is cut into segments of this length; keyframes land exactly on the boundaries. */
export const SEGMENT_DURATION_S = 2;

/** Default ladder rungs (output heights). The source height is added on top when it is not one of them. */
export const DEFAULT_LADDER_HEIGHTS = [1080, 720, 480, 360, 144] as const;

export const LIVESTREAM_NAME_MAX = 200;

/** Largest signalling message (bytes) the server accepts on a socket. */
export const SIGNALLING_MAX_BYTES = 64 * 1024;

/** Largest video the ingest accepts (4K UHD, either orientation). */
export const MAX_SOURCE_WIDTH = 4096;
export const MAX_SOURCE_HEIGHT = 4096;

/** Socket.IO namespace of the studio's publish signalling (the default namespace is chat). */
export const STUDIO_NAMESPACE = '/studio';

/** Bounds of a DVR window (AXON_DVR_WINDOW_S and a livestream's own `dvrWindowS`), in seconds. */
export const DVR_WINDOW_MIN_S = 6;
export const DVR_WINDOW_MAX_S = 6 * 3600;

/** The RTMP application publishers name: `rtmp://<host>:<port>/live`, the stream key after it. */
export const RTMP_APP = 'live';

/**
 * A WebRTC connection (studio, WHIP publisher, WHEP viewer) that has not connected within this time is given
 * up: by the server, which then frees what it reserved, and by the client, which then says so.
 */
export const WEBRTC_CONNECT_TIMEOUT_MS = 15_000;
