/** One host's block and the fleet summary: plan order, rollbacks folded in, the failure inline. */
import { describe, expect, test } from '@jest/globals';
import { overallLine, summaryTable } from '../../../src/cli/human/fleet-summary.js';
import { failureText, hostBlock, hostBlocks, stepLines } from '../../../src/cli/human/host-steps.js';
import { recordHostsLines, recordStepLines } from '../../../src/cli/human/run-record.js';
import { journalLines } from '../../../src/cli/human/undo-journal.js';
import type { HostRun } from '../../../src/run/host-run.js';
import type { StepEvent } from '../../../src/run/protocol.js';

const step = (host: string, stepId: string, action: string, status: StepEvent['status'], rest: Partial<StepEvent> = {}): StepEvent => ({ event: 'step', runId: 'r1', host, time: '', stepId, action, status, durationMs: 1, ...rest });

/** rdsh02 of the configure-licensing fleet with Set-RdsLicensingType denied, as the sim reports it. */
function deniedHost(): HostRun {
  const steps = [
    step('rdsh02', 'licensing.servers', 'rds.setLicenseServers', 'changed', { before: { Servers: [], Via: 'wmi' }, after: { Servers: ['lic01'], Via: 'wmi' } }),
    step('rdsh02', 'licensing.mode', 'rds.setLicensingMode', 'failed', { before: { LicensingType: 5, Via: 'wmi' }, message: 'Access is denied. (4)' }),
    step('rdsh02', 'licensing.servers', 'rds.setLicenseServers', 'rolledBack', { before: { Servers: ['lic01'], Via: 'wmi' }, after: { Servers: [], Via: 'wmi' }, message: 'undone' }),
  ];
  return { host: 'rdsh02', steps, events: [], lines: [], summary: { event: 'summary', runId: 'r1', host: 'rdsh02', time: '', status: 'rolledBack', counts: { changed: 1, failed: 1, rolledBack: 1 }, restoredToStart: true, durationMs: 1 } };
}

describe('host block', () => {
  test('steps in plan order whatever order they were reported in; one line per step', () => {
    const steps = [step('h', 'b', 'x.b', 'changed'), step('h', 'finalize:a', 'x.f', 'changed'), step('h', 'a', 'x.a', 'unchanged'), step('h', 'c', 'x.c', 'skipped')];
    const heads = stepLines(steps, ['a', 'b', 'c']).map((line) => line.trim().split(/\s+/)[1]);
    expect(heads).toEqual(['a', 'b', 'c', 'finalize:a']);
  });

  test('a rolled-back step is listed once, in plan order, with the change it undid', () => {
    const lines = stepLines(deniedHost().steps, ['licensing.servers', 'licensing.mode']);
    expect(lines).toEqual([
      '  rolled back  licensing.servers (rds.setLicenseServers)',
      '               undone',
      '               Servers: (none) → lic01 (undone)',
      '  FAILED       licensing.mode (rds.setLicensingMode)',
      '               error: Access is denied. (4)',
      '               Licensing mode: not configured (5)',
      '               Via: wmi',
    ]);
  });

  test('an unchanged read says what it read once: its message, not the same figure again as state', () => {
    const days = step('h', 'grace.days', 'rds.getGracePeriodDays', 'unchanged', { before: { DaysLeft: 120 }, message: 'grace period days left: 120' });
    expect(stepLines([days])).toEqual(['  unchanged  grace.days (rds.getGracePeriodDays)', '             grace period days left: 120']);
    expect(stepLines([{ ...days, message: '' }])).toEqual(['  unchanged  grace.days (rds.getGracePeriodDays)', '             Days left: 120']);
  });

  test('the host summary line names the failing step and says the host is back at its start', () => {
    expect(hostBlock(deniedHost(), { exitCode: 1 }).split('\n').at(-2)).toBe(
      '  rdsh02: rolled back (1 changed, 1 FAILED, 1 rolled back), exit 1: failed at licensing.mode (rds.setLicensingMode): Access is denied. (4); the host is back at its start',
    );
  });

  test('hosts are blocks one after the other, never interleaved', () => {
    const a: HostRun = { host: 'rdsh01', steps: [step('rdsh01', 's', 'x', 'wouldChange')], events: [], lines: [] };
    const b: HostRun = { host: 'rdsh02', steps: [step('rdsh02', 's', 'x', 'wouldChange')], events: [], lines: [] };
    const text = hostBlocks([a, b], () => 3);
    expect(text).toBe('rdsh01\n  would change  s (x)\n  rdsh01: incomplete (no steps), exit 3\n\nrdsh02\n  would change  s (x)\n  rdsh02: incomplete (no steps), exit 3\n');
  });

  test('host text cannot write control characters to the terminal', () => {
    const evil: HostRun = { host: 'h\u001b[2J', steps: [step('h', 's', 'x', 'failed', { message: 'line\nfake' })], events: [], lines: [] };
    expect(hostBlock(evil)).not.toMatch(/[\u001b]|line\nfake/);
  });
});

describe('fleet summary', () => {
  test('a failed host shows its failing step, action and Windows message in its row', () => {
    const ok: HostRun = { host: 'rdsh01', steps: [], events: [], lines: [], summary: { event: 'summary', runId: 'r1', host: 'rdsh01', time: '', status: 'succeeded', counts: { changed: 2 }, durationMs: 1 } };
    const table = summaryTable([ok, deniedHost()], (r) => (r.host === 'rdsh01' ? 0 : 1));
    expect(table).toMatch(/^rdsh02\s+rolledBack\s+1\s+0\s+0\s+1\s+1\s+1\s+failed at licensing\.mode \(rds\.setLicensingMode\): Access is denied\. \(4\); rolled back: the host is back at its start$/m);
    expect(overallLine([ok, deniedHost()], 1)).toBe('2 host(s): 1 succeeded, 1 rolled back; exit 1\n');
  });

  test('failureText is empty without a failed step', () => {
    expect(failureText({ steps: [step('h', 's', 'x', 'changed')] })).toBe('');
  });
});

describe('show-run and undo views', () => {
  test('a record\'s steps read like apply; a damaged record\'s missing fields do not throw', () => {
    const r = deniedHost();
    const lines = recordStepLines({ host: 'rdsh02', steps: r.steps, summary: r.summary, exitCode: 1 } as never);
    expect(lines[0]).toBe('steps:');
    expect(lines).toContain('               error: Access is denied. (4)');
    expect(lines.at(-1)).toMatch(/^rdsh02: rolled back .*failed at licensing\.mode/);
    expect(recordStepLines({ host: 'h' } as never)).toEqual(['steps:', '  (none reported)', '', 'h: incomplete (no steps)']);
    expect(recordHostsLines({ host: 'b', targets: ['a', 'b'] })).toEqual(['- hosts of this run: a, b (one record each; this one: b)']);
    expect(recordHostsLines({ host: 'a' })).toEqual([]);
  });

  test('the undo journal: newest first, what goes back in words, not JSON', () => {
    const path = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';
    const lines = journalLines([
      { stepId: 'grace.own', action: 'registry.takeOwnership', undo: { Path: path, Sddl: 'O:NSG:SYD:PAI(A;CI;KA;;;NS)', StepId: 'grace.own', View: 'Default' } },
      { stepId: 'grace.delete', action: 'registry.deleteValue', undo: { Path: path, Values: [{ Name: 'L$RTMTIMEBOMB_1', Type: 'Binary', Data: '0100' }], View: 'Default' } },
    ]);
    expect(lines).toEqual([
      `  grace.delete (registry.deleteValue): restore ${path}`,
      '      Values: L$RTMTIMEBOMB_1 (Binary) = 0100',
      `  grace.own (registry.takeOwnership): restore ${path}`,
      '      SDDL: owner NETWORK SERVICE (S-1-5-20); group SYSTEM (S-1-5-18); access allow NETWORK SERVICE (S-1-5-20) Full Control (KA)',
    ]);
  });
});
