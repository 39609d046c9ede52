import { closeSync, constants, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmdirSync, writeSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { folderAclFor, runProgram, type WindowsFolderAcl } from './windows-acl.js';

/**
 * The only way run records and their folders are created, written and read. Records are the
 * safety net `undo` trusts, so: created private (0700 folders, 0600 files; the umask can only
 * take bits away), created exclusively (O_EXCL: nothing planted beforehand is reused), never
 * through a symlink (O_NOFOLLOW, lstat), and a folder owned by another user or writable by
 * others is refused, because whoever can write there can forge what undo will run.
 * Windows has no O_NOFOLLOW or POSIX owner: there every records folder rdsplan creates gets a
 * protected DACL (SYSTEM, Administrators, and the user unless elevated; windows-acl.ts)
 * before anything is written into it, what is created inside inherits it, and a folder found
 * on disk is read back (owner, protection, who may write) before it is trusted.
 */
export class RecordStoreError extends Error {
  override name = 'RecordStoreError';
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const POSIX = process.platform !== 'win32';

/** What guards a records folder beyond the checks here: the DACL on Windows, nothing (null) on POSIX. */
export type FolderAcl = WindowsFolderAcl | null;

/** This process's: tests pass folderAclFor('win32', fake runner) instead. */
export const hostFolderAcl: FolderAcl = folderAclFor(process.platform, runProgram, process.env);

/** The low-level file calls, replaceable in tests to inject a full disk. */
export interface FileOps {
  write(fd: number, data: Uint8Array): void;
}

export const realFileOps: FileOps = {
  write(fd, data) {
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
  },
};

/** Why a folder or file found on disk cannot be trusted; null when it can. */
export function untrustedReason(stats: Pick<Stats, 'uid' | 'mode' | 'isSymbolicLink' | 'isDirectory' | 'isFile'>, kind: 'folder' | 'file', uid = process.getuid?.()): string | null {
  if (stats.isSymbolicLink()) return 'is a symbolic link';
  if (kind === 'folder' ? !stats.isDirectory() : !stats.isFile()) return kind === 'folder' ? 'is not a folder' : 'is not a regular file';
  if (!POSIX || uid === undefined) return null;
  if (stats.uid !== uid) return `is owned by uid ${stats.uid}, not by this user (uid ${uid})`;
  if ((stats.mode & 0o022) !== 0) return `is writable by others (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')})`;
  return null;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A folder records live in: created private when missing, refused when it cannot be trusted. */
export function ensurePrivateFolder(path: string, acl: FolderAcl = hostFolderAcl): void {
  const found = lstatOrNull(path);
  if (!found) {
    mkdirSync(dirname(path), { recursive: true });
    let created = false;
    try {
      mkdirSync(path, { mode: 0o700 });
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (created && acl) {
      secureNewFolder(path, acl);
      return;
    }
  }
  assertTrustedFolder(path, acl);
}

/** Several such folders, parents first; on Windows the ones already there are read in one go. */
export function ensurePrivateFolders(paths: readonly string[], acl: FolderAcl = hostFolderAcl): void {
  checkFoldersAhead(paths.filter((path) => lstatOrNull(path)?.isDirectory() === true), acl);
  for (const path of paths) ensurePrivateFolder(path, acl);
}

export function assertTrustedFolder(path: string, acl: FolderAcl = hostFolderAcl): void {
  const stats = lstatOrNull(path);
  if (!stats) throw new RecordStoreError(`${path} does not exist`);
  const reason = untrustedReason(stats, 'folder') ?? acl?.check([path]).get(path) ?? null;
  if (reason) throw new RecordStoreError(`${path} ${reason}; run records are kept only in folders private to the user running rdsplan`);
}

/** Reads the folders' DACLs in one go on Windows, so that checking each one next costs nothing (nothing on POSIX). */
export function checkFoldersAhead(paths: readonly string[], acl: FolderAcl = hostFolderAcl): void {
  acl?.check(paths);
}

/**
 * A folder this process just created, before anything is written into it: protected, then
 * read back like any other (icacls's exit code is not the proof). When either fails it is
 * removed again (it is empty) and nothing is written.
 */
function secureNewFolder(path: string, acl: WindowsFolderAcl): void {
  try {
    const failure = acl.protect(path);
    if (failure) throw new RecordStoreError(`${path} could not be protected: ${failure}; nothing was written into it`);
    assertTrustedFolder(path, acl);
  } catch (error) {
    try {
      rmdirSync(path);
    } catch {
      // the error that made it unusable is the one to report
    }
    throw error;
  }
}

/** A new folder with a random part in its name, created exclusively (never an existing one). */
export function createUniqueFolder(parent: string, prefix: string, acl: FolderAcl = hostFolderAcl): string {
  for (let attempt = 0; ; attempt++) {
    const path = join(parent, `${prefix}-${randomBytes(4).toString('hex')}`);
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 8) throw error;
      continue;
    }
    if (acl) secureNewFolder(path, acl);
    return path;
  }
}

/** Opens a new file for writing: exclusive, no symlink followed, 0600. */
export function createFile(path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
}

/** Writes a whole new file and syncs it. */
export function writeNewFile(path: string, data: string | Uint8Array, ops: FileOps = realFileOps): void {
  const fd = createFile(path);
  try {
    ops.write(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces a file atomically: a new private file beside it, then rename. When the write fails
 * (a full disk) the old content stays whole: a record is never left 0 bytes.
 */
export function replaceFile(path: string, data: string | Uint8Array, ops: FileOps = realFileOps): void {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeNewFile(temp, data, ops);
  renameSync(temp, path);
}

/** Reads a record file: no symlink followed, a regular file this user owns. */
export function readTrustedFile(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
  try {
    const stats = fstatSync(fd);
    const reason = untrustedReason({ uid: stats.uid, mode: stats.mode, isSymbolicLink: () => false, isDirectory: () => stats.isDirectory(), isFile: () => stats.isFile() }, 'file');
    if (reason) throw new RecordStoreError(`${path} ${reason}`);
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    while (read < stats.size) {
      const n = readSync(fd, buffer, read, stats.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new RecordStoreError(`${path} is a symbolic link`);
    throw error;
  } finally {
    closeSync(fd);
  }
}
