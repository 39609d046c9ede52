import { describe, expect, test } from '@jest/globals';
import type { PlanStep } from '../../src/actions/types.js';
import { expandSteps } from '../../src/plan/expand.js';
import { protectedKeys } from '../../src/plan/policy/protected-keys.js';

/** The service database subtree belongs to the service control manager: no plan deletes a service's key or anything above it. */
function findings(planSteps: PlanStep[]): string[] {
  return protectedKeys({ planSteps, steps: expandSteps(planSteps) }).map((f) => `${f.pointer} ${f.message}`);
}

const step = (action: string, path: string, extra: Record<string, unknown> = {}): PlanStep => ({ id: 's', action, path, ...extra });

describe('the service database subtree is protected', () => {
  test.each([
    ['registry.deleteKey', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService', { recurse: true }],
    ['registry.deleteKey', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService', {}],
    ['registry.deleteKey', 'HKEY_LOCAL_MACHINE\\system\\currentcontrolset\\services\\termservice\\', {}],
    ['registry.deleteKey', 'HKLM:\\SYSTEM\\ControlSet001\\Services\\TermServLicensing', { recurse: true }],
  ])('%s %s %j is refused', (action, path, extra) => {
    const [finding] = findings([step(action, path, extra)]);
    expect(finding).toMatch(/^\/steps\/0\/path HKLM\\SYSTEM\\(CurrentControlSet|ControlSet001)\\Services\\TermServ\w* is the key of the service "TermServ\w*", which is protected: no plan may delete it \(sc\.exe delete or the vendor's uninstaller removes a service\)$/i);
  });

  test('keys above a service key are refused: the Services key, a control set', () => {
    expect(findings([step('registry.deleteKey', 'HKLM\\SYSTEM\\CurrentControlSet\\Services', { recurse: true })])).toEqual([
      "/steps/0/path HKLM\\SYSTEM\\CurrentControlSet\\Services is the service database, which is protected: no plan may delete it (sc.exe delete or the vendor's uninstaller removes a service)",
    ]);
    expect(findings([step('registry.deleteKey', 'HKLM\\SYSTEM\\ControlSet002', { recurse: true })])).toEqual([
      "/steps/0/path HKLM\\SYSTEM\\ControlSet002 holds the service database, which is protected: no plan may delete it (sc.exe delete or the vendor's uninstaller removes a service)",
    ]);
    expect(findings([step('registry.deleteSubkeys', 'HKLM\\SYSTEM\\CurrentControlSet')])).toHaveLength(1);
    expect(findings([step('registry.deleteSubkeys', 'HKLM\\SYSTEM\\CurrentControlSet\\Services', { namePattern: 'Old*' })])).toHaveLength(1);
  });

  test('below a service key, beside the service database, and taking ownership stay allowed', () => {
    expect(findings([step('registry.deleteKey', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\Stale', { recurse: true })])).toEqual([]);
    expect(findings([step('registry.deleteSubkeys', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\Contoso\\Parameters')])).toEqual([]);
    expect(findings([step('registry.deleteKey', 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Contoso', { recurse: true })])).toEqual([]);
    expect(findings([step('registry.deleteKey', 'HKLM\\SYSTEM\\ControlSet1\\Services\\X')])).toEqual([]);
    expect(findings([step('registry.takeOwnership', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService')])).toEqual([]);
  });
});
