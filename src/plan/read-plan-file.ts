import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_PLAN_BYTES } from './load.js';

/**
 * Reads a plan file without trusting it: only a regular file (not /dev/zero, a FIFO or a
 * folder), and never more than one byte past the limit, so a huge or endless file costs at most
 * 1 MiB of memory and loadPlanBytes reports its size. Returns the bytes or the reason in words.
 */
export function readPlanFile(file: string): Uint8Array | { reason: string; code: 'load.read' | 'load.size' } {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { code: 'load.read', reason: `cannot read the plan: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a plan file' : (error as Error).message}` };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { code: 'load.read', reason: 'cannot read the plan: is a directory, not a plan file' };
    if (!stat.isFile()) return { code: 'load.read', reason: 'cannot read the plan: not a regular file (a device, pipe or socket); a plan is a file' };
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_PLAN_BYTES) + 1);
    let length = 0;
    // The size can change between fstat and read (a file being written): read to the limit, not to stat.size.
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_PLAN_BYTES || stat.size > MAX_PLAN_BYTES) return { code: 'load.size', reason: `the file is ${Math.max(stat.size, length)} bytes; a plan may be at most ${MAX_PLAN_BYTES} bytes (1 MiB)` };
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
