import { cameraSize, type CameraSizeName } from './camera-size.js';

const KEY = 'axon.studio.cameraSize';

type SizeStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** This browser's storage, or none where the page may not use it (private modes, blocked cookies). */
function browserStorage(): SizeStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** The camera size this browser chose last; a missing or unknown value is the default. */
export function storedCameraSize(storage: SizeStorage | null = browserStorage()): CameraSizeName {
  try {
    return cameraSize(storage?.getItem(KEY)).name;
  } catch {
    return cameraSize(undefined).name;
  }
}

/** Kept for the next visit; where storage is refused, the choice lasts as long as the page. */
export function storeCameraSize(name: CameraSizeName, storage: SizeStorage | null = browserStorage()): void {
  try {
    storage?.setItem(KEY, name);
  } catch {
    // Not kept: the default again next time.
  }
}
