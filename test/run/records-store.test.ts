/** src/run/records/store.ts: a folder or file owned by another user, or writable by others, is not trusted. */
import { describe, expect, test } from '@jest/globals';
import { untrustedReason } from '../../src/run/records/store.js';

const stats = (uid: number, mode: number, kind: 'dir' | 'file' | 'link' = 'dir') => ({
  uid,
  mode,
  isSymbolicLink: () => kind === 'link',
  isDirectory: () => kind === 'dir',
  isFile: () => kind === 'file',
});

describe('untrustedReason', () => {
  test('owned by this user and private: trusted', () => expect(untrustedReason(stats(1000, 0o40700), 'folder', 1000)).toBeNull());
  test('owned by another user: refused', () => expect(untrustedReason(stats(1234, 0o40700), 'folder', 1000)).toBe('is owned by uid 1234, not by this user (uid 1000)'));
  test('writable by the group or others: refused', () => expect(untrustedReason(stats(1000, 0o40777), 'folder', 1000)).toBe('is writable by others (mode 0777)'));
  test('a symbolic link: refused', () => expect(untrustedReason(stats(1000, 0o120777, 'link'), 'folder', 1000)).toBe('is a symbolic link'));
  test('a file where a folder belongs: refused', () => expect(untrustedReason(stats(1000, 0o100600, 'file'), 'folder', 1000)).toBe('is not a folder'));
});
