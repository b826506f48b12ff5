import { PublishError, type VideoCodecChoice } from './publisher.js';

/** The top of the ladder is encoded from this: enough for 1080p30 from a camera. */
export const MAX_VIDEO_BITRATE = 2_500_000;

/**
 * Simulcast (H.264 only): three sizes of the camera, which the server packages as the ladder's rungs
 * without re-encoding them, lowest first as WebRTC lists them. 1/2, 1/1.5 and 1 of a 720p camera are the
 * server's own 360p, 480p and 720p rungs (Chromium takes the fractional factor: 852x480, measured), each at
 * about the bitrate the server would encode that rung with; at most 4.7 Mbit/s up in all.
 */
const SIMULCAST_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 2, maxBitrate: 800_000 },
  { rid: 'h', scaleResolutionDownBy: 1.5, maxBitrate: 1_400_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: MAX_VIDEO_BITRATE },
];

/** The video encodings a publisher sends: one stream, or the simulcast layers. */
export const videoEncodings = (simulcast: boolean): RTCRtpEncodingParameters[] =>
  simulcast ? SIMULCAST_LAYERS.map((layer) => ({ ...layer })) : [{ maxBitrate: MAX_VIDEO_BITRATE }];

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
