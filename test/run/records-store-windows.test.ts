/**
 * The records store on Windows (src/run/records/store.ts with windows-acl.ts), on Linux: the
 * folders are real, the programs Windows would run are test/support/fake-windows.ts. Every
 * records folder rdsplan creates gets its protected DACL before anything is written into it,
 * a folder found on disk is read back before it is trusted, and on POSIX none of it runs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from '@jest/globals';
import { validatePlanFile } from '../../src/plan/validate.js';
import { renderScript, scriptBytes } from '../../src/render/script.js';
import { listRunRecords, readRunRecord } from '../../src/run/record.js';
import { hostFolderAcl, RecordStoreError, realFileOps } from '../../src/run/records/store.js';
import { folderAclFor } from '../../src/run/records/windows-acl.js';
import { RecordWriter } from '../../src/run/records/writer.js';
import { newRunId } from '../../src/run/run-id.js';
import { tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';
import { FakeWindows, USER_SID, WHOAMI_ELEVATED, WHOAMI_FILTERED_DE, type FakeSecurity } from '../support/fake-windows.js';

const ENV = { SystemRoot: 'C:\\Windows' };
const SY = 'S-1-5-18';
const BA = 'S-1-5-32-544';
const FULL = 0x1f01ff;
const PLAN = example('reset-grace-period');
const plan = validatePlanFile(PLAN).plan!;
const script = renderScript(plan, { platform: 'sim' });

function begin(root: string, fake: FakeWindows | null, platform: NodeJS.Platform = 'win32'): RecordWriter {
  const acl = folderAclFor(platform, fake ? fake.run : () => ({ status: 0, stdout: '', stderr: '' }), ENV);
  const writer = RecordWriter.begin(
    root,
    { runId: newRunId(), mode: 'apply', host: 'localhost', plan, script, approval: { kind: 'token', token: renderScript(plan).approvalToken }, targets: ['localhost'], startedAt: new Date() },
    readFileSync(PLAN),
    scriptBytes(script),
    realFileOps,
    acl,
  );
  writer.close();
  return writer;
}

const icaclsTargets = (fake: FakeWindows) => fake.calls.filter((c) => c.program === 'icacls.exe').map((c) => c.args[0]);

let dir: string;
let root: string;
beforeEach(() => {
  dir = tmp('rdsplan-winacl-');
  root = join(dir, 'ProgramData', 'rdsplan', 'backups');
});

describe('every records folder rdsplan creates is protected before anything is written into it', () => {
  test('not elevated: root, runs/, backups/ and the run folder, each while still empty: protected, SYSTEM, Administrators and the user; the files inherit it', () => {
    const fake = new FakeWindows(WHOAMI_FILTERED_DE, false);
    const writer = begin(root, fake);
    const folders = [root, join(root, 'runs'), join(root, 'backups'), writer.dir];
    expect(icaclsTargets(fake)).toEqual(folders);
    expect(fake.calls.filter((c) => c.program === 'icacls.exe').every((c) => c.folderWasEmpty)).toBe(true);
    for (const folder of folders) {
      expect(fake.security.get(folder)).toEqual({
        owner: USER_SID,
        protected: true,
        rules: [SY, BA, USER_SID].map((sid) => ({ allow: true, sid, rights: FULL, inheritOnly: false, inherited: false })),
      });
    }
    expect(readdirSync(writer.dir).sort()).toEqual(['events.jsonl', 'journal.jsonl', 'plan.json', 'record.json', 'script.ps1', 'stderr.log']);
    // The folders above the records root are not records folders: left as they are.
    expect(fake.security.has(join(dir, 'ProgramData', 'rdsplan'))).toBe(false);
  });

  test('elevated: SYSTEM and Administrators only, owner Administrators: the DACL the script on the host trusts for its backup folder (the default records root on Windows)', () => {
    const fake = new FakeWindows(WHOAMI_ELEVATED, true);
    const writer = begin(root, fake);
    for (const folder of [root, join(root, 'runs'), join(root, 'backups'), writer.dir]) {
      expect(fake.security.get(folder)).toEqual({ owner: BA, protected: true, rules: [SY, BA].map((sid) => ({ allow: true, sid, rights: FULL, inheritOnly: false, inherited: false })) });
    }
    expect(fake.calls.filter((c) => c.program === 'icacls.exe').map((c) => c.args[1])).toEqual(['/inheritance:r', '/setowner', '/inheritance:r', '/setowner', '/inheritance:r', '/setowner', '/inheritance:r', '/setowner']);
  });

  test('a records root already there: root, runs/ and backups/ read in one PowerShell call, whoami asked once, only the new run folder protected', () => {
    const fake = new FakeWindows(WHOAMI_FILTERED_DE, false);
    begin(root, fake);
    fake.calls.length = 0;
    const second = begin(root, fake);
    expect(fake.calls.map((c) => c.program)).toEqual(['whoami.exe', 'powershell.exe', 'icacls.exe', 'powershell.exe']);
    expect(icaclsTargets(fake)).toEqual([second.dir]);
  });

  test('POSIX: no ACL at all, none of the Windows programs runs; the folders are 0700', () => {
    expect(folderAclFor('linux', () => ({ status: 0, stdout: '', stderr: '' }), ENV)).toBeNull();
    expect(folderAclFor('darwin', () => ({ status: 0, stdout: '', stderr: '' }), ENV)).toBeNull();
    expect(hostFolderAcl === null).toBe(process.platform !== 'win32');
    const fake = new FakeWindows(WHOAMI_ELEVATED, true);
    const writer = begin(root, fake, 'linux');
    expect(fake.calls).toEqual([]);
    expect(readdirSync(writer.dir)).toContain('record.json');
    for (const folder of [root, join(root, 'runs'), join(root, 'backups'), writer.dir]) expect(statSync(folder).mode & 0o777).toBe(0o700);
  });
});

describe('a failed icacls: RecordStoreError naming the folder and what icacls said; nothing written, the empty folder removed', () => {
  test('icacls refuses (Access is denied.)', () => {
    const fake = new FakeWindows(WHOAMI_FILTERED_DE, false);
    fake.icaclsAnswer = { status: 5, stdout: `${root}: Access is denied.\r\nSuccessfully processed 0 files; Failed processing 1 files\r\n`, stderr: '' };
    expect(() => begin(root, fake)).toThrow(new RecordStoreError(`${root} could not be protected: icacls.exe failed (exit code 5): Access is denied.; nothing was written into it`));
    expect(existsSync(root)).toBe(false);
  });

  test('icacls exits 0 but the DACL is still inherited: the read-back refuses it', () => {
    const fake = new FakeWindows(WHOAMI_FILTERED_DE, false);
    fake.icaclsAnswer = { status: 0, stdout: '', stderr: '' };
    expect(() => begin(root, fake)).toThrow(`${root} inherits permissions from the folder above it (its DACL is not protected); run records are kept only in folders private to the user running rdsplan`);
    expect(existsSync(root)).toBe(false);
  });

  test('the run folder cannot be protected: no run folder is left under runs/', () => {
    const fake = new FakeWindows(WHOAMI_FILTERED_DE, false);
    begin(root, fake);
    const before = readdirSync(join(root, 'runs'));
    fake.icaclsAnswer = { status: 1332, stdout: '', stderr: 'No mapping between account names and security IDs was done.\r\n' };
    expect(() => begin(root, fake)).toThrow(/runs[/\\]\d{8}T\d{9}Z-reset-grace-period-rdsh01-localhost-[0-9a-f]{8} could not be protected: icacls\.exe failed \(exit code 1332\): No mapping between account names and security IDs was done\.; nothing was written into it$/);
    expect(readdirSync(join(root, 'runs'))).toEqual(before);
  });

  test('whoami prints no SID: the folder is not protected, and the message says why', () => {
    const fake = new FakeWindows('', false);
    expect(() => begin(root, fake)).toThrow(`${root} could not be protected: whoami printed no SID: (nothing); nothing was written into it`);
  });
});

describe('a records folder found on disk is read back before it is trusted', () => {
  const refused = (folder: string, security: FakeSecurity, reason: string) => {
    mkdirSync(folder, { recursive: true });
    const fake = new FakeWindows(WHOAMI_FILTERED_DE, false);
    if (folder !== root) fake.security.set(root, { owner: USER_SID, protected: true, rules: [rule(SY), rule(BA), rule(USER_SID)] });
    fake.security.set(folder, security);
    expect(() => begin(root, fake)).toThrow(new RecordStoreError(`${folder} ${reason}; run records are kept only in folders private to the user running rdsplan`));
    return fake;
  };
  const rule = (sid: string, rights = FULL, inheritOnly = false) => ({ allow: true, sid, rights, inheritOnly, inherited: false });

  test('made by someone else in C:\\ProgramData (inherited DACL): refused, nothing created in it', () => {
    mkdirSync(root, { recursive: true });
    const fake = new FakeWindows(WHOAMI_FILTERED_DE, false);
    expect(() => begin(root, fake)).toThrow(`${root} inherits permissions from the folder above it (its DACL is not protected)`);
    expect(readdirSync(root)).toEqual([]);
    expect(icaclsTargets(fake)).toEqual([]);
  });

  test('owned by another user', () => {
    refused(root, { owner: 'S-1-5-21-3623811015-3361044348-30300820-1105', protected: true, rules: [rule(SY), rule(BA)] }, `is owned by S-1-5-21-3623811015-3361044348-30300820-1105, not by this user (${USER_SID}), SYSTEM or Administrators`);
  });

  test.each([
    ['Everyone', 'S-1-1-0', 'S-1-1-0 (Everyone)'],
    ['Users', 'S-1-5-32-545', 'S-1-5-32-545 (BUILTIN\\Users)'],
    ['Authenticated Users', 'S-1-5-11', 'S-1-5-11 (Authenticated Users)'],
    ['INTERACTIVE', 'S-1-5-4', 'S-1-5-4 (INTERACTIVE)'],
  ])('runs/ that lets %s write', (_, sid, label) => {
    refused(join(root, 'runs'), { owner: USER_SID, protected: true, rules: [rule(SY), rule(BA), rule(USER_SID), rule(sid, 0x1301bf)] }, `lets ${label} write to it (access mask 0x1301bf)`);
  });
});

describe('reading records on Windows', () => {
  test('runs/ and every run folder read in two PowerShell calls, however many records; a run folder opened up later is refused on its own', () => {
    const fake = new FakeWindows(WHOAMI_FILTERED_DE, false);
    const dirs = [begin(root, fake).dir, begin(root, fake).dir, begin(root, fake).dir];
    fake.security.get(dirs[1]!)!.rules.push({ allow: true, sid: 'S-1-1-0', rights: FULL, inheritOnly: false, inherited: false });
    fake.calls.length = 0;
    const acl = folderAclFor('win32', fake.run, ENV);
    const listed = listRunRecords(root, acl);
    expect(listed).toEqual([...dirs].sort());
    expect(readRunRecord(dirs[0]!, acl).host).toBe('localhost');
    expect(readRunRecord(dirs[2]!, acl).host).toBe('localhost');
    expect(() => readRunRecord(dirs[1]!, acl)).toThrow(`${dirs[1]} lets S-1-1-0 (Everyone) write to it (access mask 0x1f01ff)`);
    const programs = fake.calls.map((c) => c.program);
    // The refused one is read again (only trusted answers are kept); the trusted ones never.
    expect(programs).toEqual(['whoami.exe', 'powershell.exe', 'powershell.exe', 'powershell.exe']);
  });
});
