import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PowerShellConfigError, findPowerShell, pathCandidates } from '../../src/run/find-powershell.js';

let root: string;
let pwshDir: string;
let windowsDir: string;
let emptyDir: string;

async function executable(file: string, mode = 0o755): Promise<string> {
  await writeFile(file, '#!/bin/sh\nexit 0\n');
  await chmod(file, mode);
  return file;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rdsplan-find-ps-'));
  pwshDir = join(root, 'pwsh-bin');
  windowsDir = join(root, 'windows-bin');
  emptyDir = join(root, 'empty');
  await Promise.all([mkdir(pwshDir), mkdir(windowsDir), mkdir(emptyDir)]);
  await executable(join(pwshDir, 'pwsh'));
  await executable(join(windowsDir, 'powershell.exe'));
  await executable(join(root, 'custom-powershell'));
  await executable(join(root, 'not-executable'), 0o644);
  await executable(join(emptyDir, 'pwsh'), 0o644);
  await mkdir(join(root, 'a-directory'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const posix = 'linux' as const;

describe('findPowerShell (POSIX)', () => {
  test('RDSPLAN_POWERSHELL wins over PATH', async () => {
    const env = { RDSPLAN_POWERSHELL: join(root, 'custom-powershell'), PATH: pwshDir };
    expect(await findPowerShell(env, posix)).toEqual({ path: join(root, 'custom-powershell'), source: 'RDSPLAN_POWERSHELL' });
  });

  test('RDSPLAN_POWERSHELL may name a program on PATH', async () => {
    expect(await findPowerShell({ RDSPLAN_POWERSHELL: 'pwsh', PATH: `${emptyDir}:${pwshDir}` }, posix)).toEqual({ path: join(pwshDir, 'pwsh'), source: 'RDSPLAN_POWERSHELL' });
  });

  test.each([
    ['a missing file', 'does-not-exist'],
    ['a file without the execute bit', 'not-executable'],
    ['a directory', 'a-directory'],
  ])('RDSPLAN_POWERSHELL pointing at %s is an error naming the variable', async (_name, file) => {
    const configured = join(root, file);
    const attempt = findPowerShell({ RDSPLAN_POWERSHELL: configured, PATH: pwshDir }, posix);
    await expect(attempt).rejects.toThrow(PowerShellConfigError);
    await expect(attempt).rejects.toThrow(`RDSPLAN_POWERSHELL is set to '${configured}', which is not an executable file`);
  });

  test('an unknown bare name in RDSPLAN_POWERSHELL is an error too', async () => {
    await expect(findPowerShell({ RDSPLAN_POWERSHELL: 'pwsh-preview', PATH: pwshDir }, posix)).rejects.toThrow(/RDSPLAN_POWERSHELL .* on PATH/);
  });

  test('an empty RDSPLAN_POWERSHELL counts as unset', async () => {
    expect(await findPowerShell({ RDSPLAN_POWERSHELL: '', PATH: pwshDir }, posix)).toEqual({ path: join(pwshDir, 'pwsh'), source: 'pwsh' });
  });

  test('pwsh before powershell.exe, whatever the PATH order', async () => {
    expect(await findPowerShell({ PATH: `${windowsDir}:${pwshDir}` }, posix)).toEqual({ path: join(pwshDir, 'pwsh'), source: 'pwsh' });
  });

  test('powershell.exe when there is no pwsh', async () => {
    expect(await findPowerShell({ PATH: `${emptyDir}:${windowsDir}` }, posix)).toEqual({ path: join(windowsDir, 'powershell.exe'), source: 'powershell.exe' });
  });

  test('a non-executable pwsh is skipped; none at all is null', async () => {
    expect(await findPowerShell({ PATH: emptyDir }, posix)).toBeNull();
    expect(await findPowerShell({}, posix)).toBeNull();
  });

  test('empty and relative PATH entries are ignored (they mean the current directory)', async () => {
    expect(pathCandidates('pwsh', { PATH: `:bin:./x:${pwshDir}` }, posix)).toEqual([join(pwshDir, 'pwsh')]);
  });
});

describe('pathCandidates (Windows rules, checked without a Windows file system)', () => {
  const win = 'win32' as const;

  test('tries every PATHEXT extension, in order, in every PATH directory', () => {
    const env = { Path: 'C:\\Program Files\\PowerShell\\7;"C:\\Tools\\My PS"', PATHEXT: '.COM;.EXE;.CMD' };
    expect(pathCandidates('pwsh', env, win)).toEqual([
      'C:\\Program Files\\PowerShell\\7\\pwsh.com',
      'C:\\Program Files\\PowerShell\\7\\pwsh.exe',
      'C:\\Program Files\\PowerShell\\7\\pwsh.cmd',
      'C:\\Tools\\My PS\\pwsh.com',
      'C:\\Tools\\My PS\\pwsh.exe',
      'C:\\Tools\\My PS\\pwsh.cmd',
    ]);
  });

  test('a name that already has a PATHEXT extension is tried as is', () => {
    const env = { PATH: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', PATHEXT: '.COM;.EXE' };
    expect(pathCandidates('powershell.exe', env, win)).toEqual(['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe']);
  });

  test('without PATHEXT the Windows default applies; relative entries are ignored', () => {
    expect(pathCandidates('pwsh', { PATH: 'bin;C:\\ps' }, win)).toEqual(['C:\\ps\\pwsh.com', 'C:\\ps\\pwsh.exe', 'C:\\ps\\pwsh.bat', 'C:\\ps\\pwsh.cmd']);
  });
});
