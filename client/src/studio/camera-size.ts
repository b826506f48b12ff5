/** The picture sizes the studio asks the camera for: one list for the form, the capture and the stored choice. */
export const CAMERA_SIZES = [
  { name: '1080p', label: '1080p (Full HD)', width: 1920, height: 1080 },
  { name: '720p', label: '720p (HD)', width: 1280, height: 720 },
  { name: '480p', label: '480p (SD)', width: 640, height: 480 },
] as const;

export type CameraSize = (typeof CAMERA_SIZES)[number];
export type CameraSizeName = CameraSize['name'];

/**
 * HD unless the streamer chooses otherwise: asked for nothing, Chromium opens even an HD webcam at 640x480,
 * and the server's ladder can be no taller than its source.
 */
export const DEFAULT_CAMERA_SIZE: CameraSizeName = '720p';

/** The size of that name; anything else (an old or tampered stored value) is the default. */
export function cameraSize(name: unknown): CameraSize {
  return CAMERA_SIZES.find((size) => size.name === name) ?? CAMERA_SIZES.find((size) => size.name === DEFAULT_CAMERA_SIZE)!;
}

/**
 * What getUserMedia and applyConstraints are asked for. Ideal, not exact: a camera that cannot give the size
 * gives its nearest one rather than failing, and the studio shows what it gave.
 */
export function videoConstraints(size: CameraSize, deviceId?: string): MediaTrackConstraints {
  return {
    ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    width: { ideal: size.width },
    height: { ideal: size.height },
    frameRate: { ideal: 30 },
  };
}
