/**
 * src/run/records/windows-acl.ts, the decisions: who runs rdsplan (whoami's CSV, localized
 * names), the icacls calls that protect a new records folder, the PowerShell that reads a
 * folder's security and what its answer means, and a failed program's message.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import {
  folderTrustProblem,
  parseSecurity,
  parseWhoami,
  programFailure,
  protectCalls,
  securityCalls,
  type FolderSecurity,
  type WindowsIdentity,
} from '../../src/run/records/windows-acl.js';
import { USER_SID, WHOAMI_ELEVATED, WHOAMI_FILTERED_DE } from '../support/fake-windows.js';
import { powershellPath } from '../support/powershell.js';

const ENV = { SystemRoot: 'C:\\WINDOWS' };
const SY = 'S-1-5-18';
const BA = 'S-1-5-32-544';
const FULL = 0x1f01ff;

describe('who runs rdsplan (whoami /user /groups /fo csv /nh)', () => {
  test('an elevated administrator: the user SID and elevated (Administrators enabled, High integrity)', () => {
    expect(parseWhoami(WHOAMI_ELEVATED)).toEqual({ sid: USER_SID, elevated: true });
  });

  test('German Windows, a UAC-filtered token: names localized, Administrators deny-only at Medium integrity: not elevated', () => {
    expect(parseWhoami(WHOAMI_FILTERED_DE)).toEqual({ sid: USER_SID, elevated: false });
  });

  test('SYSTEM, in German: S-1-5-18, System integrity: elevated', () => {
    const text = '"nt-autorität\\system","S-1-5-18"\r\n\r\n"VORDEFINIERT\\Administratoren","Alias","S-1-5-32-544","Standardmäßig aktiviert, Aktivierte Gruppe, Gruppenbesitzer"\r\n"Verbindliche Beschriftung\\Systemverbindlichkeitsstufe","Bezeichnung","S-1-16-16384",""\r\n';
    expect(parseWhoami(text)).toEqual({ sid: SY, elevated: true });
  });

  test('High integrity without Administrators (an elevated Backup Operator) is not an elevated administrator', () => {
    const text = '"contoso\\backup","S-1-5-21-1-2-3-1107"\r\n\r\n"BUILTIN\\Backup Operators","Alias","S-1-5-32-551","Mandatory group, Enabled by default, Enabled group"\r\n"Mandatory Label\\High Mandatory Level","Label","S-1-16-12288",""\r\n';
    expect(parseWhoami(text)).toEqual({ sid: 'S-1-5-21-1-2-3-1107', elevated: false });
  });

  test('output without a SID is an error that shows it', () => {
    expect(() => parseWhoami('ERROR: Unable to get user claims information.\r\n')).toThrow('whoami printed no SID: ERROR: Unable to get user claims information.');
  });
});

describe('protecting a new folder (icacls)', () => {
  const folder = 'C:\\ProgramData\\rdsplan\\backups\\runs';

  test('not elevated: inheritance removed, SYSTEM, Administrators and the user full control inherited inside; the owner stays the user', () => {
    expect(protectCalls(folder, { sid: USER_SID, elevated: false }, ENV)).toEqual([
      { file: 'C:\\WINDOWS\\System32\\icacls.exe', args: [folder, '/inheritance:r', '/grant:r', `*${SY}:(OI)(CI)F`, `*${BA}:(OI)(CI)F`, `*${USER_SID}:(OI)(CI)F`] },
    ]);
  });

  test('elevated: SYSTEM and Administrators only, owner Administrators (what the script on the host trusts as its backup folder)', () => {
    expect(protectCalls(folder, { sid: USER_SID, elevated: true }, ENV)).toEqual([
      { file: 'C:\\WINDOWS\\System32\\icacls.exe', args: [folder, '/inheritance:r', '/grant:r', `*${SY}:(OI)(CI)F`, `*${BA}:(OI)(CI)F`] },
      { file: 'C:\\WINDOWS\\System32\\icacls.exe', args: [folder, '/setowner', `*${BA}`] },
    ]);
  });

  test('programs by full path under SystemRoot (C:\\Windows when unset), never looked up in the current folder or PATH', () => {
    expect(protectCalls('D:\\r', { sid: SY, elevated: true }, {})[0]!.file).toBe('C:\\Windows\\System32\\icacls.exe');
    expect(securityCalls(['D:\\r'], { SystemRoot: 'E:\\Win' })[0]!.call.file).toBe('E:\\Win\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  });
});

function decoded(args: readonly string[]): string {
  return Buffer.from(args[args.indexOf('-EncodedCommand') + 1]!, 'base64').toString('utf16le');
}

describe('reading a folder’s security (Windows PowerShell)', () => {
  test('one call for several folders, each path a single-quoted literal (quotes doubled), -EncodedCommand', () => {
    const calls = securityCalls(['C:\\records', "C:\\O'Brien's records"], ENV);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.call.args.slice(0, 4)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-EncodedCommand']);
    expect(decoded(calls[0]!.call.args)).toContain("$paths = @('C:\\records', 'C:\\O''Brien''s records')");
  });

  test('many folders: split so that every command line stays under Windows’s 32767 characters, all folders in order', () => {
    const paths = Array.from({ length: 400 }, (_, i) => `C:\\ProgramData\\rdsplan\\backups\\runs\\20260101T000000000Z-reset-grace-period-rdsh01-rdsh01.contoso.com-${String(i).padStart(8, '0')}`);
    const calls = securityCalls(paths, ENV);
    expect(calls.length).toBeGreaterThan(1);
    for (const { call } of calls) expect([call.file, ...call.args].join(' ').length).toBeLessThan(32767);
    expect(calls.flatMap((c) => c.paths)).toEqual(paths);
  });

  test('the answer: owner, protection and rules per folder; an error (localized, base64) or no answer at all is an error', () => {
    const message = 'Der Zugriff auf den Pfad "C:\\fremd" wurde verweigert.';
    const stdout = [
      `folder\t0\t${BA}\tTrue`,
      `rule\t0\tAllow\t${SY}\t${FULL}\t0`,
      `rule\t0\tAllow\t${BA}\t${FULL}\t0`,
      `rule\t0\tDeny\tS-1-1-0\t${0x10000}\t0`,
      `rule\t0\tAllow\tS-1-3-0\t268435456\t2`,
      `error\t1\t${Buffer.from(message, 'utf8').toString('base64')}`,
      '',
    ].join('\r\n');
    expect(parseSecurity(stdout, 3)).toEqual([
      {
        owner: BA,
        protected: true,
        rules: [
          { allow: true, sid: SY, rights: FULL, inheritOnly: false },
          { allow: true, sid: BA, rights: FULL, inheritOnly: false },
          { allow: false, sid: 'S-1-1-0', rights: 0x10000, inheritOnly: false },
          { allow: true, sid: 'S-1-3-0', rights: 0x10000000, inheritOnly: true },
        ],
      },
      { error: message },
      { error: 'Windows PowerShell gave no answer for it' },
    ]);
  });

  test('the script runs in PowerShell and answers every folder (here pwsh on Linux: the ACL calls are not supported, one error line each)', () => {
    const paths = ['/tmp/rdsplan-a', "/tmp/rdsplan-o'brien"];
    const { call } = securityCalls(paths, ENV)[0]!;
    const stdout = execFileSync(powershellPath(), call.args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TERM: 'dumb' } });
    const answers = parseSecurity(stdout, paths.length);
    expect(answers).toEqual(paths.map(() => ({ error: expect.stringMatching(/Access Control List \(ACL\) APIs .* not supported on this platform/) })));
  });
});

describe('whether a folder can be trusted', () => {
  const user: WindowsIdentity = { sid: USER_SID, elevated: false };
  const rule = (sid: string, rights: number, inheritOnly = false, allow = true) => ({ allow, sid, rights, inheritOnly });
  const base = (extra: FolderSecurity['rules'] = [], owner = USER_SID, isProtected = true): FolderSecurity => ({
    owner,
    protected: isProtected,
    rules: [rule(SY, FULL), rule(BA, FULL), rule(USER_SID, FULL), ...extra],
  });

  test.each<[string, FolderSecurity]>([
    ['as rdsplan makes it, not elevated (owner the user)', base()],
    ['as rdsplan makes it, elevated (owner Administrators, SYSTEM and Administrators only)', { owner: BA, protected: true, rules: [rule(SY, FULL), rule(BA, FULL)] }],
    ['owned by SYSTEM', base([], SY)],
    ['Users may read and list (0x1200a9)', base([rule('S-1-5-32-545', 0x1200a9)])],
    ['a deny rule for Everyone takes nothing away', base([rule('S-1-1-0', FULL, false, false)])],
    ['CREATOR OWNER, inherit-only: only those who may create there become owners', base([rule('S-1-3-0', 0x10000000, true)])],
  ])('trusted: %s', (_, security) => expect(folderTrustProblem(security, user)).toBeNull());

  test.each<[string, FolderSecurity, string]>([
    ['owned by Users', base([], 'S-1-5-32-545'), `is owned by S-1-5-32-545 (BUILTIN\\Users), not by this user (${USER_SID}), SYSTEM or Administrators`],
    ['owned by another user', base([], 'S-1-5-21-1-2-3-1105'), `is owned by S-1-5-21-1-2-3-1105, not by this user (${USER_SID}), SYSTEM or Administrators`],
    ['not protected (inherits from the folder above)', base([], USER_SID, false), 'inherits permissions from the folder above it (its DACL is not protected)'],
    ['Everyone full control', base([rule('S-1-1-0', FULL)]), 'lets S-1-1-0 (Everyone) write to it (access mask 0x1f01ff)'],
    ['Users may add files and folders', base([rule('S-1-5-32-545', 0x116)]), 'lets S-1-5-32-545 (BUILTIN\\Users) write to it (access mask 0x116)'],
    ['Users may write what is created inside (inherit-only)', base([rule('S-1-5-32-545', 0x116, true)]), 'lets S-1-5-32-545 (BUILTIN\\Users) write to what is created in it (access mask 0x116)'],
    ['Authenticated Users modify', base([rule('S-1-5-11', 0x1301bf)]), 'lets S-1-5-11 (Authenticated Users) write to it (access mask 0x1301bf)'],
    ['INTERACTIVE generic write', base([rule('S-1-5-4', 0x40000000)]), 'lets S-1-5-4 (INTERACTIVE) write to it (access mask 0x40000000)'],
    ['INTERACTIVE generic all (0x10000000)', base([rule('S-1-5-4', 0x10000000)]), 'lets S-1-5-4 (INTERACTIVE) write to it (access mask 0x10000000)'],
    ['another user may change its permissions (WRITE_DAC)', base([rule('S-1-5-21-1-2-3-1105', 0x40000)]), 'lets S-1-5-21-1-2-3-1105 write to it (access mask 0x40000)'],
    ['CREATOR OWNER on the folder itself', base([rule('S-1-3-0', 0x10000000)]), 'lets S-1-3-0 write to it (access mask 0x10000000)'],
  ])('refused: %s', (_, security, reason) => expect(folderTrustProblem(security, user)).toBe(reason));

  test('the user’s own rule is trusted only for that user: for someone else it is another writer', () => {
    expect(folderTrustProblem(base([], SY), { sid: 'S-1-5-21-9-9-9-500', elevated: true })).toBe(`lets ${USER_SID} write to it (access mask 0x1f01ff)`);
  });
});

describe('a failed program, in its own words', () => {
  const icacls = { file: 'C:\\WINDOWS\\System32\\icacls.exe', args: ['C:\\r\\runs', '/inheritance:r'] };

  test('icacls: the message it prints after the path, not its count line', () => {
    const result = { status: 5, stdout: 'C:\\r\\runs: Access is denied.\r\nSuccessfully processed 0 files; Failed processing 1 files\r\n', stderr: '' };
    expect(programFailure(icacls, result)).toBe('icacls.exe failed (exit code 5): Access is denied.');
  });

  test('icacls in German', () => {
    const result = { status: 5, stdout: 'C:\\r\\runs: Zugriff verweigert\r\n0 Dateien erfolgreich verarbeitet, bei 1 Dateien ist ein Verarbeitungsfehler aufgetreten.\r\n', stderr: '' };
    expect(programFailure(icacls, result)).toBe('icacls.exe failed (exit code 5): Zugriff verweigert');
  });

  test('output that names no path is given whole, on one line; exit 0 is no failure; a program that cannot start says so', () => {
    expect(programFailure({ file: 'C:\\WINDOWS\\System32\\whoami.exe', args: ['/user'] }, { status: 1, stdout: '', stderr: 'ERROR: Access is denied.\r\n' })).toBe('whoami.exe failed (exit code 1): ERROR: Access is denied.');
    expect(programFailure(icacls, { status: 0, stdout: 'processed file: C:\\r\\runs\r\n', stderr: '' })).toBeNull();
    expect(programFailure(icacls, { status: null, stdout: '', stderr: '', error: new Error('spawnSync C:\\WINDOWS\\System32\\icacls.exe ENOENT') })).toBe('icacls.exe could not be run: spawnSync C:\\WINDOWS\\System32\\icacls.exe ENOENT');
  });
});
