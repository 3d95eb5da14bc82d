import { promises as fs } from 'node:fs';
import path from 'node:path';
import { refuseNonRegularAtSync } from './regular-file.js';
import { uniqueSuffix } from './unique.js';

/**
 * Write a file atomically: a temporary file beside it (same directory, so the rename cannot
 * cross file systems), fsync, then rename over the target. Readers see the old bytes or the
 * new bytes, never a half-written file. `mode` applies to the temporary file before any byte
 * is written, so the data is never readable by others even for an instant. Only a regular file
 * (or nothing) is replaced: a FIFO, device, socket, directory or symbolic link at `target` is left
 * as it is, and the write fails with a NotRegularFileError naming it.
 */
export async function atomicWriteFile(
  target: string,
  data: string | Uint8Array,
  mode: number,
  options: { durable?: boolean } = {},
): Promise<void> {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${uniqueSuffix()}.tmp`);
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    try {
      await handle.chmod(mode); // the umask may have narrowed or (never) widened it
      await handle.writeFile(data);
      // Skipped for what may be lost in a power cut (the cache): a damaged entry is only a miss.
      if (options.durable !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    refuseNonRegularAtSync(target);
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
