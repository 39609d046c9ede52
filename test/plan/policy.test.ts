import { describe, expect, test } from '@jest/globals';
import type { PlanStep } from '../../src/actions/types.js';
import { expandSteps } from '../../src/plan/expand.js';
import { backupFirst } from '../../src/plan/policy/backup-first.js';
import { exportFileInBackupFolder } from '../../src/plan/policy/export-file.js';
import { protectedKeys } from '../../src/plan/policy/protected-keys.js';
import { singleOwner } from '../../src/plan/policy/single-owner.js';
import type { PolicyRule } from '../../src/plan/policy/types.js';
import { uniqueTargets } from '../../src/plan/policy/unique-targets.js';

function run(rule: PolicyRule, planSteps: PlanStep[]) {
  return rule({ planSteps, steps: expandSteps(planSteps) }).map((f) => `${f.severity} ${f.pointer} ${f.code}`);
}

const exportKey = (path: string, view?: string): PlanStep => ({ id: `e${path.length}${view ?? ''}`, action: 'registry.export', path, ...(view ? { view } : {}) });
const del = (path: string, extra: Partial<PlanStep> = {}): PlanStep => ({ id: 'd', action: 'registry.deleteKey', path, recurse: true, ...extra });

describe('backup before destructive steps', () => {
  test('an export of an ancestor covers the key; a sibling or another view does not', () => {
    expect(run(backupFirst, [exportKey('HKLM\\SOFTWARE\\Contoso'), del('HKLM\\SOFTWARE\\Contoso\\Cache')])).toEqual([]);
    expect(run(backupFirst, [exportKey('HKLM\\SOFTWARE\\Contoso\\Other'), del('HKLM\\SOFTWARE\\Contoso\\Cache')])).toEqual(['error /steps/1 policy.backup']);
    expect(run(backupFirst, [exportKey('HKLM\\SOFTWARE\\ContosoX'), del('HKLM\\SOFTWARE\\Contoso')])).toEqual(['error /steps/1 policy.backup']);
    expect(run(backupFirst, [exportKey('HKLM\\SOFTWARE\\Contoso', '32'), del('HKLM\\SOFTWARE\\Contoso\\Cache')])).toEqual(['error /steps/1 policy.backup']);
  });

  test('an export after the destructive step is too late', () => {
    expect(run(backupFirst, [del('HKLM\\SOFTWARE\\Contoso\\Cache'), exportKey('HKLM\\SOFTWARE\\Contoso')])).toEqual(['error /steps/0 policy.backup']);
  });

  test('spellings of a path compare equal', () => {
    expect(run(backupFirst, [exportKey('HKEY_LOCAL_MACHINE\\software\\contoso\\'), del('HKLM:\\SOFTWARE\\Contoso\\Cache')])).toEqual([]);
  });

  test('opting out with a reason silences the rule', () => {
    expect(run(backupFirst, [del('HKLM\\SOFTWARE\\Contoso\\Cache', { backup: { skip: true, reason: 'a cache the app rebuilds' } })])).toEqual([]);
  });

  test('setValue without an export is a warning; takeOwnership without one is an error', () => {
    expect(run(backupFirst, [{ id: 's', action: 'registry.setValue', path: 'HKLM\\SOFTWARE\\X', name: 'n', type: 'String', data: 'v' }])).toEqual(['warning /steps/0 policy.backup']);
    expect(run(backupFirst, [{ id: 'o', action: 'registry.takeOwnership', path: 'HKLM\\SOFTWARE\\X' }])).toEqual(['error /steps/0 policy.backup']);
  });

  test('the presets carry their own exports', () => {
    expect(run(backupFirst, [{ id: 'g', action: 'rds.resetGracePeriod' }, { id: 'c', action: 'rds.clearClientLicenseCache' }])).toEqual([]);
  });
});

describe('protected keys', () => {
  test('hive roots and top-level keys cannot be deleted, emptied or taken over', () => {
    expect(run(protectedKeys, [del('HKLM\\SYSTEM')])).toEqual(['error /steps/0/path policy.protected-key']);
    expect(run(protectedKeys, [{ id: 's', action: 'registry.deleteSubkeys', path: 'HKCU\\Software' }])).toEqual(['error /steps/0/path policy.protected-key']);
    expect(run(protectedKeys, [{ id: 'o', action: 'registry.takeOwnership', path: 'HKLM\\SOFTWARE' }])).toEqual(['error /steps/0/path policy.protected-key']);
  });

  test('one value of a top-level key may be deleted; a second-level key may be deleted', () => {
    expect(run(protectedKeys, [{ id: 'v', action: 'registry.deleteValue', path: 'HKCU\\Environment', name: 'TEMP_OLD' }])).toEqual([]);
    expect(run(protectedKeys, [del('HKLM\\SOFTWARE\\Contoso')])).toEqual([]);
  });

  test('the service database in any control set, and one service\'s key (test/plan/service-database.test.ts)', () => {
    expect(run(protectedKeys, [del('HKLM\\SYSTEM\\ControlSet001\\Services')])).toEqual(['error /steps/0/path policy.protected-key']);
    expect(run(protectedKeys, [del('HKLM\\SYSTEM\\CurrentControlSet\\Services\\OldAgent')])).toEqual(['error /steps/0/path policy.protected-key']);
  });
});

describe('one owner at a time', () => {
  test('the grace preset twice in a row is fine: the first restores before the second takes over', () => {
    expect(run(singleOwner, [{ id: 'a', action: 'rds.resetGracePeriod' }, { id: 'b', action: 'rds.resetGracePeriod' }])).toEqual([]);
  });

  test('a primitive takeOwnership holds the key until the end of the plan', () => {
    expect(run(singleOwner, [{ id: 'o', action: 'registry.takeOwnership', path: 'HKLM\\SOFTWARE\\X' }, { id: 'g', action: 'registry.takeOwnership', path: 'HKLM\\SOFTWARE\\x' }])).toEqual(['error /steps/1 policy.single-owner']);
  });
});

describe('targets', () => {
  test('host names that differ only in case are one host: refused at the second', () => {
    const findings = uniqueTargets({ targets: ['rdsh01', 'RDSH02', { computerName: 'RDSH01' }, 'Rdsh02'], planSteps: [], steps: [] });
    expect(findings.map((f) => `${f.pointer} ${f.code} ${f.message}`)).toEqual([
      '/targets/2/computerName policy.unique-target target "RDSH01" is the same host as /targets/0 (host names are case-insensitive)',
      '/targets/3 policy.unique-target target "Rdsh02" is the same host as /targets/1 (host names are case-insensitive)',
    ]);
    expect(uniqueTargets({ targets: ['rdsh01', 'rdsh010'], planSteps: [], steps: [] })).toEqual([]);
  });
});

describe('registry.export file', () => {
  const backupDirectory = 'C:\\ProgramData\\rdsplan\\backups';
  const exportTo = (file: string, extra: Partial<PlanStep> = {}): PlanStep => ({ id: 'e', action: 'registry.export', path: 'HKLM\\SOFTWARE\\Contoso', file, ...extra });
  const check = (step: PlanStep) => {
    const planSteps = [step];
    return exportFileInBackupFolder({ backupDirectory, planSteps, steps: expandSteps(planSteps) }).map((f) => `${f.pointer} ${f.message}`);
  };

  test('inside the backup folder (any case) is fine', () => {
    expect(check(exportTo('C:\\ProgramData\\rdsplan\\backups\\contoso.reg'))).toEqual([]);
    expect(check(exportTo('c:\\programdata\\RDSPLAN\\backups\\sub\\contoso.reg'))).toEqual([]);
  });

  test('relative, forward-slash and dot-segment paths are refused', () => {
    expect(check(exportTo('contoso.reg'))).toEqual(['/steps/0/file "contoso.reg" is not an absolute Windows path (C:\\… or \\\\server\\share\\…, backslashes only)']);
    expect(check(exportTo('C:/ProgramData/rdsplan/backups/contoso.reg'))[0]).toMatch(/is not an absolute Windows path/);
    expect(check(exportTo('C:\\ProgramData\\rdsplan\\backups\\..\\..\\Users\\Public\\contoso.reg'))[0]).toMatch(/has a "\." or "\.\." segment/);
  });

  test('outside the backup folder (also a sibling with the same prefix) needs a reason', () => {
    expect(check(exportTo('C:\\ProgramData\\rdsplan\\backups-old\\contoso.reg'))[0]).toMatch(/is outside the backup folder C:\\ProgramData\\rdsplan\\backups/);
    expect(check(exportTo('D:\\Exports\\contoso.reg'))[0]).toMatch(/"outsideBackupDirectory": \{ "reason": "…" \}/);
    expect(check(exportTo('D:\\Exports\\contoso.reg', { outsideBackupDirectory: { reason: 'the archive share the auditors read' } }))).toEqual([]);
  });
});
