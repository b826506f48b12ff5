import fsp from 'node:fs/promises';

/** Writes a file so that readers see the old or the new content, never a partial one. */
export async function writeAtomic(file: string, body: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await fsp.writeFile(tmp, body);
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}
