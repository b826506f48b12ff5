import fsp from 'node:fs/promises';
import { CmafError, type FragmentTiming, type InitInfo, readFragmentTiming, readInitInfo } from './cmaf-boxes.js';

const HEADER_BYTES = 16;

export const EMPTY_SEGMENT = 'empty';

/**
 * The timing of a CMAF segment file, reading only its moof boxes: the media data (nearly all of the
 * file) is skipped, so timing a whole recording's segments costs a few small reads per file.
 * Null when the file does not exist (FFmpeg has not renamed it into place); EMPTY_SEGMENT when it holds no
 * fragment at all (FFmpeg's final flush after the source went silent writes one). `init` is asked for only
 * once the segment exists: by then FFmpeg has finished the init segment.
 */
export async function readSegmentFileTiming(file: string, init: () => Promise<InitInfo>): Promise<FragmentTiming | null | typeof EMPTY_SEGMENT> {
  let handle;
  try {
    handle = await fsp.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const moofs: Buffer[] = [];
    const header = Buffer.alloc(HEADER_BYTES);
    for (let pos = 0; pos + 8 <= size; ) {
      const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, pos);
      if (bytesRead < 8) break;
      let boxSize = header.readUInt32BE(0);
      if (boxSize === 1 && bytesRead >= 16) boxSize = Number(header.readBigUInt64BE(8));
      else if (boxSize === 0) boxSize = size - pos;
      if (boxSize < 8 || pos + boxSize > size) throw new CmafError(`truncated ${header.toString('latin1', 4, 8)} box`);
      if (header.toString('latin1', 4, 8) === 'moof') {
        const moof = Buffer.alloc(boxSize);
        await handle.read(moof, 0, boxSize, pos);
        moofs.push(moof);
      }
      pos += boxSize;
    }
    if (moofs.length === 0) return EMPTY_SEGMENT;
    return readFragmentTiming(Buffer.concat(moofs), await init());
  } finally {
    await handle.close();
  }
}

/** The timescale and defaults of a rendition's init segment. */
export async function readInitFile(file: string): Promise<InitInfo> {
  return readInitInfo(await fsp.readFile(file));
}
