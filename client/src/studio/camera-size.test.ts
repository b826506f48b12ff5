import { describe, expect, it } from 'vitest';
import { CAMERA_SIZES, cameraSize, DEFAULT_CAMERA_SIZE, videoConstraints } from './camera-size.js';
import { storeCameraSize, storedCameraSize } from './camera-size-store.js';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe('camera sizes', () => {
  it('offers 1080p, 720p and 480p at their 16:9 and 4:3 sizes, 720p by default', () => {
    expect(CAMERA_SIZES.map(({ name, width, height }) => [name, width, height])).toEqual([
      ['1080p', 1920, 1080],
      ['720p', 1280, 720],
      ['480p', 640, 480],
    ]);
    expect(DEFAULT_CAMERA_SIZE).toBe('720p');
  });

  it('takes an unknown name for the default', () => {
    expect(cameraSize('480p').height).toBe(480);
    for (const name of [undefined, null, '', '4k', 720, '720P']) expect(cameraSize(name).name).toBe('720p');
  });

  it('asks for the size as ideal, so a camera that cannot gives its nearest, with the chosen device', () => {
    expect(videoConstraints(cameraSize('1080p'), 'cam-2')).toEqual({
      deviceId: { exact: 'cam-2' },
      width: { ideal: 1920 },
      height: { ideal: 1080 },
      frameRate: { ideal: 30 },
    });
    expect(videoConstraints(cameraSize('480p'))).not.toHaveProperty('deviceId');
  });
});

describe('the stored camera size', () => {
  it('is kept across visits', () => {
    const storage = new MemoryStorage();
    expect(storedCameraSize(storage)).toBe('720p');
    storeCameraSize('480p', storage);
    expect(storedCameraSize(storage)).toBe('480p');
  });

  it('falls back to the default when missing, unknown or unreadable', () => {
    const storage = new MemoryStorage();
    storage.setItem('axon.studio.cameraSize', '<script>');
    expect(storedCameraSize(storage)).toBe('720p');
    expect(storedCameraSize(null)).toBe('720p');
    const refusing = {
      getItem: (): string | null => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: (): void => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    expect(storedCameraSize(refusing)).toBe('720p');
    expect(() => storeCameraSize('1080p', refusing)).not.toThrow();
  });
});
