/** The before → after helper: one line per differing property, named SIDs, modes and SDDL, no JSON. */
import { describe, expect, test } from '@jest/globals';
import { changeLines, formatValue, label } from '../../../src/cli/human/change.js';

// What the simulated host reports for the grace-period and licensing steps (see a check's --format json).
const GRACE_SDDL = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)';
const OWNED_SDDL = 'O:BAG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KA;;;BA)';

describe('changeLines', () => {
  test('licensing mode: named both sides; the unchanged Via is hidden', () => {
    expect(changeLines({ LicensingType: 5, Via: 'wmi' }, { LicensingType: 4, Via: 'wmi' })).toEqual(['Licensing mode: not configured (5) → Per User (4)']);
  });

  test('identical before and after (a restart, a check of a restore) print nothing', () => {
    expect(changeLines({ StartMode: 'Manual', Status: 'Running' }, { StartMode: 'Manual', Status: 'Running' })).toEqual([]);
    expect(changeLines({ Owner: 'S-1-5-20', Sddl: GRACE_SDDL }, { Owner: 'S-1-5-20', Sddl: GRACE_SDDL })).toEqual([]);
  });

  test('ownership: SIDs named, the SDDL split into what changed, its owner said once', () => {
    expect(changeLines({ Owner: 'S-1-5-20', Sddl: GRACE_SDDL }, { Owner: 'S-1-5-32-544', Sddl: OWNED_SDDL })).toEqual([
      'Owner: NETWORK SERVICE (S-1-5-20) → Administrators (S-1-5-32-544)',
      'SDDL access: allow Administrators (S-1-5-32-544) Read (KR) → allow Administrators (S-1-5-32-544) Full Control (KA)',
    ]);
    expect(changeLines({ Sddl: GRACE_SDDL }, { Sddl: OWNED_SDDL })[0]).toBe('SDDL owner: NETWORK SERVICE (S-1-5-20) → Administrators (S-1-5-32-544)');
  });

  test('a key the after does not state (a check\'s prediction) is not shown as removed', () => {
    expect(changeLines({ Owner: 'S-1-5-20', Sddl: GRACE_SDDL }, { Owner: 'S-1-5-32-544', Grant: [{ Identity: 'S-1-5-32-544', Rights: 'FullControl' }] })).toEqual([
      'Owner: NETWORK SERVICE (S-1-5-20) → Administrators (S-1-5-32-544)',
      'Grant: (none) → Identity: Administrators (S-1-5-32-544), Rights: FullControl',
    ]);
  });

  test('a deleted registry value reads like regedit, its binary data sized, not cut mid-JSON', () => {
    const data = '01000000d08c9ddf0115d1118c7a00c04fc297eb01000000b45a1a93fdbe49f0c71c273ec85f2b3d';
    const [line] = changeLines({ Values: [{ Data: data, Name: 'L$RTMTIMEBOMB_1', Type: 'Binary' }] }, { Values: [] });
    expect(line).toBe('Values: L$RTMTIMEBOMB_1 (Binary) = 01000000d08c9ddf… (40 bytes) → (none)');
    expect(line).not.toMatch(/[{}"]|\.\.\./);
  });

  test('a read (nothing before) and a failed step (nothing after) show the state there is', () => {
    expect(changeLines(null, { DaysLeft: 120 })).toEqual(['Days left: 120']);
    expect(changeLines({ LicensingType: 5 }, undefined)).toEqual(['Licensing mode: not configured (5)']);
    expect(changeLines(undefined, undefined)).toEqual([]);
  });

  test('a sha256 stays whole (it is compared), and lists are joined', () => {
    const sha = '2eaa8b0cd1c2aa94be9b4700feeb42c763895ba613e735820ea07d7199852bd6';
    expect(changeLines({ Exists: true }, { Exists: true, Sha256: sha })).toEqual([`Sha256: (none) → ${sha}`]);
    expect(changeLines({ Servers: [] }, { Servers: ['lic01', 'lic02'] })).toEqual(['Servers: (none) → lic01, lic02']);
  });
});

test('labels and values', () => {
  expect(label('MinimumDaysLeft')).toBe('Minimum days left');
  expect(label('OriginalSddl')).toBe('Original SDDL');
  expect(formatValue('S-1-5-18 and S-1-5-21-1-2-3-500')).toBe('SYSTEM (S-1-5-18) and S-1-5-21-1-2-3-500');
  expect(formatValue(GRACE_SDDL, 'Sddl')).toBe(
    'owner NETWORK SERVICE (S-1-5-20); group SYSTEM (S-1-5-18); access allow NETWORK SERVICE (S-1-5-20) Full Control (KA), allow SYSTEM (S-1-5-18) Full Control (KA), allow Administrators (S-1-5-32-544) Read (KR)',
  );
  expect(formatValue('not an SDDL S-1-5-20', 'Sddl')).toBe('not an SDDL NETWORK SERVICE (S-1-5-20)');
  expect(formatValue(false)).toBe('no');
});
