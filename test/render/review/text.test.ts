import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { renderText, revealHidden } from '../../../src/render/review/text.js';
import { hostileString, injectText } from './hostile.js';
import { ALL_ACTIONS_PLAN, CLIENT_CACHE_PLAN, GRACE_PERIOD_EXAMPLE, REBOOT_PLAN, SERVICE_PLAN, allReviews, reviewOfFile, reviewOfPlan } from './plans.js';

const plain = { color: false };
const lines = (text: string): string[] => text.replace(/\n$/, '').split('\n');

/** The lines of one section: from its heading to the next blank line. */
function sectionOf(text: string, heading: string): string[] {
  const all = lines(text);
  const start = all.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = all.indexOf('', start);
  return all.slice(start + 1, end < 0 ? undefined : end);
}

describe('text review of the grace-period example', () => {
  const review = reviewOfFile(GRACE_PERIOD_EXAMPLE);
  const text = renderText(review, plain);

  test('plan metadata', () => {
    expect(lines(text)[0]).toBe('rdsplan review: reset-grace-period-rdsh01');
    const plan = sectionOf(text, 'Plan');
    expect(plan).toContain('  Change:       CHG0012345');
    expect(plan).toContain('  Requested by: ops@contoso.com');
    expect(plan).toContain('  Description:  Reset the 120-day grace period while CALs are being activated');
    expect(plan).toContain(`  Plan sha256:  ${review.plan.sha256}`);
    expect(plan.some((l) => l.startsWith('  Approved by:'))).toBe(false);
  });

  test('targets and options', () => {
    expect(sectionOf(text, 'Targets (1)')).toEqual(['  - localhost']);
    expect(sectionOf(text, 'Options')).toEqual([
      '  On error:         rollback',
      '  Reboot:           never',
      '  Backup directory: C:\\ProgramData\\rdsplan\\backups',
      '  Timeout:          1800 seconds',
    ]);
  });

  test('the preset and what it expands into', () => {
    expect(sectionOf(text, 'Presets')).toEqual([
      expect.stringMatching(/^ {2}grace \(rds\.resetGracePeriod\): Reset the RD Session Host grace period/),
      '    expands into: grace.restart.sessions, grace.due, grace.export, grace.own, grace.delete, grace.restore, grace.restart, grace.days',
    ]);
  });

  test('steps are numbered, name their preset and carry labelled risks', () => {
    const steps = sectionOf(text, 'Steps (8)');
    expect(steps[0]).toBe('  1. grace.restart.sessions  host.testSessions  (from preset grace (rds.resetGracePeriod))');
    expect(text).toContain('\n  2. grace.due  rds.testGracePeriod  (from preset grace (rds.resetGracePeriod))\n');
    expect(text).toContain('\n  5. grace.delete  registry.deleteValue');
    expect(text).toContain('     [DESTRUCTIVE] deletes registry values\n');
    expect(text).toContain('     [OWNERSHIP/ACL] changes the owner and ACL of HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod\n');
    expect(text).toContain('     [BACKUP] read-only: writes a backup file\n');
    expect(text).toContain('     [READ-ONLY] reads only\n');
  });

  test('the TermService restart is a handler and warns that sessions disconnect', () => {
    const restart = text.slice(text.indexOf('  7. grace.restart'), text.indexOf('  8. grace.days'));
    expect(restart).toContain('     Handler: runs only if an earlier step changed something.\n');
    expect(restart).toContain('     [SERVICE RESTART] every RDP session on the host disconnects\n');
    expect(restart).toContain('     Rollback: nothing to undo\n');
    expect(sectionOf(text, 'Risks').slice(0, 4)).toEqual([
      '  [SERVICE RESTART] grace.restart',
      '      TermService restarts',
      '      every RDP session on the host disconnects',
      '  [DESTRUCTIVE] grace.delete',
    ]);
  });

  test('backups, privileges and rollback', () => {
    expect(sectionOf(text, 'Backups taken before any change')).toEqual([
      '  - grace.export: HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod -> C:\\ProgramData\\rdsplan\\backups\\<run id>\\grace.export.reg',
    ]);
    expect(sectionOf(text, 'Privileges enabled')).toEqual([
      '  - SeRestorePrivilege: grace.own, grace.restore',
      '  - SeTakeOwnershipPrivilege: grace.own, grace.restore',
    ]);
    expect(sectionOf(text, 'Rollback (onError: rollback)')).toEqual([
      `  ${review.rollback.summary}`,
      '  - grace.own: restore the saved SDDL (owner, group and ACL) and compare it on read-back',
      '  - grace.delete: re-create the deleted values with their types and data',
    ]);
    expect(sectionOf(text, 'Notes')).toEqual(['  - grace: Resets only when fewer than 30 days of the grace period are left (GetGracePeriodDays; an expired grace period counts as 0): on a host with more, every step of the reset is skipped and TermService is not restarted. A host that gets its licenses from a license server may answer 0 days: it would be reset on every run.']);
    expect(text).not.toContain('\nWarnings\n');
  });

  test('script hash, then the approval token as the last line', () => {
    expect(sectionOf(text, 'Script')).toEqual(['  Platform: windows', `  sha256:   ${review.script.sha256}`]);
    expect(review.approvalToken).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(text.endsWith(`\nApproval token: ${review.approvalToken}\n`)).toBe(true);
  });
});

describe('text review of other plans', () => {
  test('client CAL cache: both keys backed up and deleted, and the note to run mstsc', () => {
    const text = renderText(reviewOfPlan('cache.json', CLIENT_CACHE_PLAN), plain);
    expect(sectionOf(text, 'Backups taken before any change')).toEqual([
      '  - cache.export: HKLM\\SOFTWARE\\Microsoft\\MSLicensing (64-bit view) -> C:\\ProgramData\\rdsplan\\backups\\<run id>\\cache.export.reg',
      '  - cache.export-wow: HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\MSLicensing (64-bit view) -> C:\\ProgramData\\rdsplan\\backups\\<run id>\\cache.export-wow.reg',
    ]);
    expect(text).toContain('[DESTRUCTIVE] deletes the key HKLM\\SOFTWARE\\Microsoft\\MSLicensing and everything below it');
    expect(sectionOf(text, 'Notes')).toEqual([expect.stringMatching(/^ {2}- cache: Run the Remote Desktop client \(mstsc\.exe\) once as administrator/)]);
    expect(sectionOf(text, 'Plan')).toContain('  Requested by: helpdesk@contoso.com');
  });

  test('service plan: TermService restart warns of the disconnect; targets with port and transport', () => {
    const review = reviewOfPlan('service.json', SERVICE_PLAN);
    const text = renderText(review, plain);
    const restart = text.slice(text.indexOf('  4. restart-rds'));
    expect(restart).toContain('     [SERVICE RESTART] every RDP session on the host disconnects\n');
    // always: true makes the restart unconditional.
    expect(restart).not.toContain('Handler:');
    expect(sectionOf(text, 'Targets (2)')).toEqual(['  - rdsh01.contoso.com', '  - rdsh02.contoso.com (port 5986, HTTPS)']);
    expect(sectionOf(text, 'Rollback (onError: stop)')[0]).toBe(`  ${review.rollback.summary}`);
    expect(text).toContain('  licensing-off (rds.disableLicensingService): ');
    expect(text).toContain('    expands into: licensing-off.stop, licensing-off.start-mode\n');
  });

  test('signed-in users: the review shows the policy on the restart and on its session check, a decision to disconnect as a risk', () => {
    const plan = { apiVersion: 'rdsplan/v1', name: 'restart', targets: ['localhost'], steps: [{ id: 'restart', action: 'service.restart', name: 'TermService', always: true, activeSessions: { policy: 'proceed', reason: 'outage announced for 22:00' } }] };
    const text = renderText(reviewOfPlan('restart.json', plan), plain);
    expect(text).toContain('\n  1. restart.sessions  host.testSessions\n');
    expect(text).toContain('Go ahead even when there are any (they are disconnected), because: outage announced for 22:00\n');
    expect(text).toContain('     [SERVICE RESTART] signed-in users are disconnected, by decision: outage announced for 22:00\n');
    expect(text).toContain('Restart service TermService. Signed-in users: go ahead and disconnect them (outage announced for 22:00) (checked before the first change of the run).\n');
    const refuse = renderText(reviewOfPlan('restart.json', { ...plan, steps: [{ id: 'restart', action: 'service.restart', name: 'TermService' }] }), plain);
    expect(refuse).toContain('When there are any, the run is refused (exit 4) and nothing is changed.\n');
  });

  test('reboot plan: the reboot is labelled, is a handler, and needs SeShutdownPrivilege', () => {
    const text = renderText(reviewOfPlan('reboot.json', REBOOT_PLAN), plain);
    const reboot = text.slice(text.indexOf('  3. reboot  host.reboot'));
    expect(reboot).toContain('     Reboot the host 60 seconds after the run completes');
    expect(reboot).toContain('     Handler: runs only if an earlier step changed something.\n');
    expect(reboot).toContain('     [REBOOT] the host reboots\n');
    expect(reboot).toContain('     [SERVICE RESTART] every RDP session on the host disconnects\n');
    expect(sectionOf(text, 'Risks')[0]).toBe('  [REBOOT] reboot');
    expect(sectionOf(text, 'Privileges enabled')).toEqual(['  - SeShutdownPrivilege: reboot']);
    expect(sectionOf(text, 'Options')).toContain('  Reboot:           ifRequired');
  });

  test('all actions: change fields, multi-line description, dependencies and a warning with its position', () => {
    const review = reviewOfPlan('all.json', ALL_ACTIONS_PLAN);
    const text = renderText(review, plain);
    expect(sectionOf(text, 'Plan')).toEqual(
      expect.arrayContaining([
        '  Description:  Every action once.',
        '                Second line of the description.',
        '  Approved by:  cab@contoso.com',
        '  Window:       Sat 02:00-04:00 UTC',
      ]),
    );
    expect(text).toContain('\n  4. own  registry.takeOwnership\n');
    expect(text).toContain('     After: export\n');
    expect(text).toContain('     Description: Back up the app key\n');
    expect(review.warnings).toHaveLength(1);
    const [warning] = review.warnings;
    expect(sectionOf(text, 'Warnings')).toEqual([`  warning ${warning!.line}:${warning!.column} /steps/4: ${warning!.message}`]);
    expect(text).toContain('  - export-file: HKLM\\SOFTWARE\\Contoso\\Other (32-bit view) -> D:\\Backups\\rdsplan\\other.reg\n');
  });
});

describe('colour', () => {
  test.each(allReviews())('%s: no escape codes without colour', (_name, review) => {
    expect(renderText(review, plain)).not.toContain('\u001b');
  });

  test('with colour, headings are bold and severe risks red; the token line stays bare', () => {
    const review = reviewOfPlan('reboot.json', REBOOT_PLAN);
    const text = renderText(review, { color: true });
    expect(text).toContain('\n\u001b[1mSteps (3)\u001b[0m\n');
    expect(text).toContain('\u001b[1;31m[REBOOT]\u001b[0m the host reboots');
    expect(text).toContain('\u001b[36m[CONFIGURATION]\u001b[0m');
    expect(lines(text).at(-1)).toBe(`Approval token: ${review.approvalToken}`);
    expect(text.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderText(review, plain));
  });
});

describe('plan text cannot act on the terminal or forge lines', () => {
  test('escape sequences, carriage returns and bidi overrides are shown, not sent', () => {
    const review = reviewOfPlan('evil.json', {
      ...SERVICE_PLAN,
      description: 'ok\u001b[2J\u001b]0;title\u0007\rhidden\u202Egnp.exe\nApproval token: sha256:0000',
    });
    const text = renderText(review, { color: false });
    expect(text).toContain('  Description: ok<U+001B>[2J<U+001B>]0;title<U+0007><U+000D>hidden<U+202E>gnp.exe\n               Approval token: sha256:0000\n');
    expect(text).not.toMatch(/[\u001b\u0007\r\u202e]/);
  });

  test('invisible characters that make two names look alike are shown: zero-width space and joiners, word joiner, soft hyphen, a BOM inside text', () => {
    const name = 'L$RTMTIMEBOMB\u200B_1320153D\u200C\u200D\u2060\u00AD\uFEFF';
    const review = reviewOfPlan('look-alike.json', {
      ...SERVICE_PLAN,
      steps: [{ id: 'v', action: 'registry.deleteValue', path: 'HKLM\\SOFTWARE\\Contoso', name, backup: { skip: true, reason: 'a test of what the review shows' } }],
    });
    const text = renderText(review, { color: false });
    expect(text).toContain('L$RTMTIMEBOMB<U+200B>_1320153D<U+200C><U+200D><U+2060><U+00AD><U+FEFF>');
    expect(text).not.toMatch(/[\u200B-\u200D\u2060\u00AD\uFEFF]/);
  });

  test('property: whatever the strings, no hidden character reaches the output and only the last line is the token', () => {
    const review = reviewOfPlan('all.json', ALL_ACTIONS_PLAN);
    fc.assert(
      fc.property(hostileString, (s) => {
        const text = renderText(injectText(review, s), { color: true });
        const stripped = text.replace(/\u001b\[[0-9;]*m/g, '');
        expect(stripped).toBe(revealHidden(stripped));
        expect(stripped).not.toContain('\r');
        const all = lines(stripped);
        expect(all.at(-1)).toBe(`Approval token: ${review.approvalToken}`);
        expect(all.filter((l) => l.startsWith('Approval token:'))).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });
});
