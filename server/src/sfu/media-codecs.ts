import type { types } from 'mediasoup';

const h264 = (profileLevelId: string): types.RouterRtpCodecCapability => ({
  kind: 'video',
  mimeType: 'video/H264',
  clockRate: 90000,
  parameters: {
    'packetization-mode': 1,
    'profile-level-id': profileLevelId,
    // Lets a publisher send a higher level than the one listed: only the profile has to match.
    'level-asymmetry-allowed': 1,
  },
});

/**
 * The codecs every router offers publishers. FFmpeg decodes all of them from RTP. VP8 comes first so
 * that a browser without a preference picks it (every browser encodes it); the H264 profiles cover
 * Safari and encoders such as OBS (Constrained Baseline, Main, High).
 */
export const mediaCodecs: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  h264('42e01f'),
  h264('4d001f'),
  h264('640032'),
];
