import { PublishError, type PublishRequest, type VideoCodecChoice } from './publisher.js';

/** The top of the ladder is encoded from this, for a camera up to 720p. */
export const MAX_VIDEO_BITRATE = 2_500_000;
/**
 * For a taller camera (the studio's 1080p choice): the server encodes its own 1080p rung at 5 Mbit/s
 * (server/src/transcode/ladder.ts), and a source held to 2.5 Mbit/s would give it a softer picture than the
 * rung has bits for.
 */
export const MAX_FULL_HD_BITRATE = 5_000_000;

/** The cap of the encoding that sends the camera's whole picture, from the size it gives (short side). */
export function maxVideoBitrate(width: number, height: number): number {
  return Math.min(width, height) > 720 ? MAX_FULL_HD_BITRATE : MAX_VIDEO_BITRATE;
}

/**
 * Simulcast (H.264 only): three sizes of the camera, which the server packages as the ladder's rungs
 * without re-encoding them, lowest first as WebRTC lists them. 1/2, 1/1.5 and 1 of a 720p camera (the
 * studio's default) are the server's own 360p, 480p and 720p rungs (Chromium takes the fractional factor:
 * 852x480, measured), each at about the bitrate the server would encode that rung with; at most 4.7 Mbit/s up
 * in all. A 1080p camera's are 540p, 720p and 1080p, its top layer at the 1080p cap (7.2 Mbit/s in all); a
 * 480p camera's top layer is left out by Chromium (320x240 and 426x320 come).
 */
const simulcastLayers = (topBitrate: number): RTCRtpEncodingParameters[] => [
  { rid: 'q', scaleResolutionDownBy: 2, maxBitrate: 800_000 },
  { rid: 'h', scaleResolutionDownBy: 1.5, maxBitrate: 1_400_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: topBitrate },
];

/** The video encodings a publisher sends: one stream, or the simulcast layers (H.264 only). */
export function videoEncodings(request: Pick<PublishRequest, 'video' | 'videoCodec' | 'simulcast'>): RTCRtpEncodingParameters[] {
  const { width = 0, height = 0 } = request.video.getSettings();
  const top = maxVideoBitrate(width, height);
  return request.simulcast === true && request.videoCodec === 'h264' ? simulcastLayers(top) : [{ maxBitrate: top }];
}

/** The ladder is sized from the source: under congestion, lower the frame rate rather than the resolution. */
export async function keepResolution(sender: RTCRtpSender | undefined): Promise<void> {
  if (!sender) return;
  const parameters = sender.getParameters();
  parameters.degradationPreference = 'maintain-resolution';
  await sender.setParameters(parameters).catch(() => {
    // Browsers without degradationPreference keep their default balance.
  });
}

const codecMime: Record<VideoCodecChoice, string> = { vp8: 'video/vp8', h264: 'video/h264' };

export const isCodec = (mimeType: string, choice: VideoCodecChoice) => mimeType.toLowerCase() === codecMime[choice];

export function cannotSend(choice: VideoCodecChoice): PublishError {
  return new PublishError('unsupported', `This browser cannot send ${choice === 'h264' ? 'H.264' : 'VP8'} to this server.`);
}
