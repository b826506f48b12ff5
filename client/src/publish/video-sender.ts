import { PublishError, type VideoCodecChoice } from './publisher.js';

/** The top of the ladder is encoded from this: enough for 1080p30 from a camera. */
export const MAX_VIDEO_BITRATE = 2_500_000;

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
