/**
 * The simulated token and key security: the GracePeriod ownership dance of DOMAIN.md
 * ("Taking ownership"), access checks from the DACL, owner rules, SDDL kept byte-identical.
 */
import { describe, afterAll, beforeAll, expect, test } from '@jest/globals';
import { GRACE, GRACE_SDDL, SimWorkspace, TIMEBOMB, defaultState, stateKey, stateValue } from './harness.js';

let ws: SimWorkspace;
beforeAll(() => {
  ws = new SimWorkspace();
});
afterAll(() => ws.dispose());

const DENIED = `Requested registry access is not allowed. (${GRACE})`;
const INVALID_OWNER = `The security identifier is not allowed to be the owner of this object. (${GRACE})`;

describe('simulated host: ownership dance on RCM\\GracePeriod', () => {
  let run: Awaited<ReturnType<SimWorkspace['run']>>;

  beforeAll(async () => {
    run = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
$g = '${GRACE}'
$saved = Get-RdsRegistrySddl -Path $g -View 'Default'
Write-TestResult -Label 'saved' -Value $saved
Invoke-TestStep -Label 'removeBefore' { Remove-RdsRegistryValue -Path $g -Name '${TIMEBOMB}' -View 'Default' }
Invoke-TestStep -Label 'setBefore' { Set-RdsRegistryValue -Path $g -Name 'x' -Type 'DWord' -Data 1 -View 'Default' }
Invoke-TestStep -Label 'ruleBefore' { Add-RdsRegistryAccessRule -Path $g -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl' }
Invoke-TestStep -Label 'ownerWithoutPrivilege' { Set-RdsRegistryOwner -Path $g -View 'Default' -Sid 'S-1-5-32-544' }
Invoke-TestStep -Label 'readBefore' { (Get-RdsRegistryValue -Path $g -Name '${TIMEBOMB}' -View 'Default').Type }
Invoke-TestStep -Label 'enableTakeOwnership' { Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege' }
Invoke-TestStep -Label 'foreignOwner' { Set-RdsRegistryOwner -Path $g -View 'Default' -Sid 'S-1-5-19' }
Invoke-TestStep -Label 'takeOwnership' { Set-RdsRegistryOwner -Path $g -View 'Default' -Sid 'S-1-5-32-544'; Get-RdsRegistrySddl -Path $g -View 'Default' }
Invoke-TestStep -Label 'removeOwnedNoRule' { Remove-RdsRegistryValue -Path $g -Name '${TIMEBOMB}' -View 'Default' }
Invoke-TestStep -Label 'addRule' { Add-RdsRegistryAccessRule -Path $g -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl'; Get-RdsRegistrySddl -Path $g -View 'Default' }
Invoke-TestStep -Label 'remove' { Remove-RdsRegistryValue -Path $g -Name '${TIMEBOMB}' -View 'Default'; Get-RdsRegistryValueName -Path $g -View 'Default' }
Invoke-TestStep -Label 'removeMissing' { Remove-RdsRegistryValue -Path $g -Name '${TIMEBOMB}' -View 'Default' }
Invoke-TestStep -Label 'restoreWithoutRestorePrivilege' { Set-RdsRegistrySddl -Path $g -View 'Default' -Sddl $saved; Get-RdsRegistrySddl -Path $g -View 'Default' }
Invoke-TestStep -Label 'sddlAfterRefusal' { Get-RdsRegistrySddl -Path $g -View 'Default' }
Invoke-TestStep -Label 'enableRestore' { Enable-RdsPrivilege -Name 'SeRestorePrivilege' }
Invoke-TestStep -Label 'restore' { Set-RdsRegistrySddl -Path $g -View 'Default' -Sddl $saved; Get-RdsRegistrySddl -Path $g -View 'Default' }
Invoke-TestStep -Label 'identical' { (Get-RdsRegistrySddl -Path $g -View 'Default') -ceq $saved }
Disable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege'
Disable-RdsPrivilege -Name 'SeRestorePrivilege'
Invoke-TestStep -Label 'setAfterRestore' { Set-RdsRegistryValue -Path $g -Name 'x' -Type 'DWord' -Data 1 -View 'Default' }
Invoke-TestStep -Label 'keyStillThere' { Test-RdsRegistryKey -Path $g -View 'Default' }
Complete-RdsPlatform
`,
      'dance.json',
      'dance.ps1',
    );
  });

  test('runs to the end', () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.results.saved).toBe(GRACE_SDDL);
  });

  test('before taking ownership, Administrators can read but not write or change the DACL', () => {
    expect(run.results.readBefore).toEqual({ ok: true, value: 'Binary' });
    expect(run.results.removeBefore).toEqual({ ok: false, error: DENIED });
    expect(run.results.setBefore).toEqual({ ok: false, error: DENIED });
    expect(run.results.ruleBefore).toEqual({ ok: false, error: DENIED });
  });

  test('taking ownership needs SeTakeOwnershipPrivilege enabled, and an owner from the token', () => {
    expect(run.results.ownerWithoutPrivilege).toEqual({ ok: false, error: DENIED });
    expect(run.results.enableTakeOwnership.ok).toBe(true);
    expect(run.results.foreignOwner).toEqual({ ok: false, error: INVALID_OWNER });
    expect(run.results.takeOwnership).toEqual({ ok: true, value: 'O:BAG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)' });
    // Ownership alone gives WRITE_DAC, not write access to values.
    expect(run.results.removeOwnedNoRule).toEqual({ ok: false, error: DENIED });
  });

  test('the owner can grant itself full control (merged into its ACE), then delete only the value', () => {
    expect(run.results.addRule).toEqual({ ok: true, value: 'O:BAG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KA;;;BA)' });
    // No value names left: nothing is output.
    expect(run.results.remove).toEqual({ ok: true, value: null });
    expect(run.results.removeMissing).toEqual({ ok: false, error: `No value exists with that name. (${GRACE}\\${TIMEBOMB})` });
  });

  test('restoring NETWORK SERVICE as owner needs SeRestorePrivilege; the SDDL reads back byte-identical', () => {
    expect(run.results.restoreWithoutRestorePrivilege).toEqual({ ok: false, error: INVALID_OWNER });
    expect(run.results.sddlAfterRefusal).toEqual({ ok: true, value: 'O:BAG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KA;;;BA)' });
    expect(run.results.restore).toEqual({ ok: true, value: GRACE_SDDL });
    expect(run.results.identical).toEqual({ ok: true, value: true });
    expect(run.results.setAfterRestore).toEqual({ ok: false, error: DENIED });
    expect(run.results.keyStillThere).toEqual({ ok: true, value: true });
  });

  test('the saved state: key kept with its original SDDL, value gone, privileges disabled again', () => {
    const key = stateKey(run.state, GRACE)!;
    expect(key.sddl).toBe(GRACE_SDDL);
    expect(key.values).toEqual([]);
    expect(run.state.token.privileges.SeTakeOwnershipPrivilege).toEqual({ held: true, enabled: false });
    expect(run.state.token.privileges.SeRestorePrivilege).toEqual({ held: true, enabled: false });
    // Every mutating call is logged in order (also the refused ones), reads only counted.
    expect(run.state.callLog.map((c: any) => c.call)).toEqual([
      'Remove-RdsRegistryValue',
      'Set-RdsRegistryValue',
      'Add-RdsRegistryAccessRule',
      'Set-RdsRegistryOwner',
      'Set-RdsRegistryOwner',
      'Set-RdsRegistryOwner',
      'Remove-RdsRegistryValue',
      'Add-RdsRegistryAccessRule',
      'Remove-RdsRegistryValue',
      'Remove-RdsRegistryValue',
      'Set-RdsRegistrySddl',
      'Set-RdsRegistrySddl',
      'Set-RdsRegistryValue',
    ]);
    expect(run.state.calls['*']).toBe(13);
    expect(run.state.callLog[0]).toEqual({ call: 'Remove-RdsRegistryValue', path: GRACE, name: TIMEBOMB });
    expect(run.state.calls['Enable-RdsPrivilege']).toBe(2);
  });
});

describe('simulated host: token and DACL rules', () => {
  test('Enable-RdsPrivilege fails with ERROR_NOT_ALL_ASSIGNED for a privilege the token does not hold', async () => {
    const state = await defaultState(ws, 'noprivs.json');
    state.token.privileges.SeRestorePrivilege.held = false;
    ws.writeState('noprivs.json', state);
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Invoke-TestStep -Label 'restore' { Enable-RdsPrivilege -Name 'SeRestorePrivilege' }
Invoke-TestStep -Label 'unknown' { Enable-RdsPrivilege -Name 'SeDebugPrivilege' }
Invoke-TestStep -Label 'disableNotHeld' { Disable-RdsPrivilege -Name 'SeRestorePrivilege' }
Invoke-TestStep -Label 'takeOwnership' { Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege' }
Complete-RdsPlatform
`,
      'noprivs.json',
      'noprivs.ps1',
    );
    expect(r.results.restore).toEqual({ ok: false, error: 'Not all privileges or groups referenced are assigned to the caller. (SeRestorePrivilege)' });
    expect(r.results.unknown).toEqual({ ok: false, error: 'Not all privileges or groups referenced are assigned to the caller. (SeDebugPrivilege)' });
    expect(r.results.disableNotHeld).toEqual({ ok: true, value: null });
    expect(r.results.takeOwnership.ok).toBe(true);
    expect(r.state.token.privileges.SeTakeOwnershipPrivilege).toEqual({ held: true, enabled: true });
    expect(r.state.token.privileges.SeRestorePrivilege).toEqual({ held: false, enabled: false });
  });

  test('a standard user (no Administrators group) cannot write HKLM\\SOFTWARE; deny ACEs win; WRITE_OWNER in the DACL allows taking ownership', async () => {
    ws.writeState('user.json', {
      token: { user: 'S-1-5-21-1-2-3-1001', groups: ['S-1-1-0', 'S-1-5-32-545', 'S-1-5-11'], privileges: {} },
      registry: {
        'HKLM\\SOFTWARE': { sddl: 'O:BAG:SYD:PAI(A;CIIO;KA;;;CO)(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)' },
        'HKLM\\SOFTWARE\\Shared': { sddl: 'O:BAG:SYD:PAI(D;;0x2;;;S-1-5-21-1-2-3-1001)(A;CI;KA;;;BU)' },
        'HKLM\\SOFTWARE\\Owned': { sddl: 'O:BAG:SYD:PAI(A;CI;0x80000;;;WD)(A;CI;KR;;;BU)' },
        'HKLM\\SOFTWARE\\Inherit': { sddl: 'O:BAG:SYD:PAI(A;CIIO;KA;;;BU)' },
      },
    });
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Invoke-TestStep -Label 'software' { Set-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Contoso' -Name 'a' -Type 'String' -Data 'b' -View 'Default' }
Invoke-TestStep -Label 'deny' { Set-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Shared' -Name 'a' -Type 'String' -Data 'b' -View 'Default' }
Invoke-TestStep -Label 'denyDoesNotBlockCreate' { New-RdsRegistryKey -Path 'HKLM\\SOFTWARE\\Shared\\Sub' -View 'Default'; Get-RdsRegistrySddl -Path 'HKLM\\SOFTWARE\\Shared\\Sub' -View 'Default' }
Invoke-TestStep -Label 'writeOwner' { Set-RdsRegistryOwner -Path 'HKLM\\SOFTWARE\\Owned' -View 'Default' -Sid 'S-1-5-21-1-2-3-1001'; Get-RdsRegistrySddl -Path 'HKLM\\SOFTWARE\\Owned' -View 'Default' }
Invoke-TestStep -Label 'ownerMayChangeDacl' { Add-RdsRegistryAccessRule -Path 'HKLM\\SOFTWARE\\Owned' -View 'Default' -Sid 'S-1-5-21-1-2-3-1001' -Rights 'ReadKey, WriteKey'; Get-RdsRegistrySddl -Path 'HKLM\\SOFTWARE\\Owned' -View 'Default' }
Invoke-TestStep -Label 'ownerNowWrites' { Set-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Owned' -Name 'a' -Type 'DWord' -Data 3 -View 'Default'; (Get-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Owned' -Name 'a' -View 'Default').Data }
Invoke-TestStep -Label 'inheritOnly' { Set-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Inherit' -Name 'a' -Type 'DWord' -Data 3 -View 'Default' }
Invoke-TestStep -Label 'inheritOnlyChild' { New-RdsRegistryKey -Path 'HKLM\\SOFTWARE\\Inherit\\Child' -View 'Default' }
Invoke-TestStep -Label 'badRights' { Add-RdsRegistryAccessRule -Path 'HKLM\\SOFTWARE\\Owned' -View 'Default' -Sid 'BU' -Rights 'Everything' }
Invoke-TestStep -Label 'badSid' { Set-RdsRegistryOwner -Path 'HKLM\\SOFTWARE\\Owned' -View 'Default' -Sid 'Administrators' }
Complete-RdsPlatform
`,
      'user.json',
      'user.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.software).toEqual({ ok: false, error: 'Requested registry access is not allowed. (HKLM\\SOFTWARE\\Contoso)' });
    expect(r.results.deny).toEqual({ ok: false, error: 'Requested registry access is not allowed. (HKLM\\SOFTWARE\\Shared)' });
    // The explicit deny (KEY_SET_VALUE) does not block creating a subkey and is not inherited; the child inherits BU's full control; its owner is the user (no BA in the token).
    expect(r.results.denyDoesNotBlockCreate).toEqual({ ok: true, value: 'O:S-1-5-21-1-2-3-1001G:SYD:AI(A;CIID;KA;;;BU)' });
    expect(r.results.writeOwner).toEqual({ ok: true, value: 'O:S-1-5-21-1-2-3-1001G:SYD:PAI(A;CI;0x80000;;;WD)(A;CI;KR;;;BU)' });
    expect(r.results.ownerMayChangeDacl).toEqual({
      ok: true,
      value: 'O:S-1-5-21-1-2-3-1001G:SYD:PAI(A;CI;0x80000;;;WD)(A;CI;KR;;;BU)(A;CI;0x2001f;;;S-1-5-21-1-2-3-1001)',
    });
    expect(r.results.ownerNowWrites).toEqual({ ok: true, value: 3 });
    expect(r.results.inheritOnly).toEqual({ ok: false, error: 'Requested registry access is not allowed. (HKLM\\SOFTWARE\\Inherit)' });
    expect(r.results.inheritOnlyChild).toEqual({ ok: false, error: 'Requested registry access is not allowed. (HKLM\\SOFTWARE\\Inherit\\Child)' });
    expect(r.results.badRights).toEqual({ ok: false, error: 'Cannot convert value "Everything" to type "System.Security.AccessControl.RegistryRights".' });
    expect(r.results.badSid).toEqual({ ok: false, error: "Value was invalid. (SID 'Administrators')" });
  });

  test('Set-RdsRegistrySddl stores the given text exactly (full SIDs stay full SIDs) and rejects malformed SDDL', async () => {
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
$k = 'HKLM\\SOFTWARE\\Contoso'
New-RdsRegistryKey -Path $k -View 'Default'
Write-TestResult -Label 'created' -Value (Get-RdsRegistrySddl -Path $k -View 'Default')
$text = 'O:S-1-5-32-544G:S-1-5-18D:PAI(A;CI;KA;;;S-1-5-32-544)(A;CI;KR;;;S-1-5-32-545)'
Invoke-TestStep -Label 'set' { Set-RdsRegistrySddl -Path $k -View 'Default' -Sddl $text; (Get-RdsRegistrySddl -Path $k -View 'Default') -ceq $text }
Invoke-TestStep -Label 'malformed' { Set-RdsRegistrySddl -Path $k -View 'Default' -Sddl 'O:BAG:SYD:PAI(A;CI;KA;;BA)' }
Invoke-TestStep -Label 'missingKey' { Set-RdsRegistrySddl -Path 'HKLM\\SOFTWARE\\Nope' -View 'Default' -Sddl $text }
Invoke-TestStep -Label 'getMissing' { Get-RdsRegistrySddl -Path 'HKLM\\SOFTWARE\\Nope' -View 'Default' }
Complete-RdsPlatform
`,
      'sddl.json',
      'sddl.ps1',
    );
    expect(r.stderr).toBe('');
    // A new key inherits the parent's container-inheritable ACEs (marked ID); an admin's new key is owned by BA.
    expect(r.results.created).toBe('O:BAG:SYD:AI(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)(A;CIID;KR;;;AC)');
    expect(r.results.set).toEqual({ ok: true, value: true });
    expect(r.results.malformed).toEqual({
      ok: false,
      error: 'The SDDL form of a security descriptor object is invalid. (O:BAG:SYD:PAI(A;CI;KA;;BA)) (HKLM\\SOFTWARE\\Contoso)',
    });
    expect(r.results.missingKey).toEqual({ ok: false, error: 'registry key not found (HKLM\\SOFTWARE\\Nope)' });
    expect(r.results.getMissing).toEqual({ ok: false, error: 'registry key not found (HKLM\\SOFTWARE\\Nope)' });
    expect(stateKey(r.state, 'HKLM\\SOFTWARE\\Contoso')!.sddl).toBe('O:S-1-5-32-544G:S-1-5-18D:PAI(A;CI;KA;;;S-1-5-32-544)(A;CI;KR;;;S-1-5-32-545)');
    expect(stateValue(r.state, GRACE, TIMEBOMB)).toBeDefined();
  });
});
