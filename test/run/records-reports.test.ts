/**
 * A report step's run record: licenseServer.reportCals leaves its report as JSON and one CSV
 * per table beside the events, written the moment the step reports; the manifest covers them,
 * so an edit after the run is found; show-run prints the tables.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { manifestMismatches } from '../../src/run/records/manifest.js';
import { reportFiles } from '../../src/run/records/report-files.js';
import type { StepEvent } from '../../src/run/protocol.js';
import { approvalToken, rdsplan, runCli } from '../support/cli.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { EXAMPLES, examplePath } from '../support/plans.js';

const event = (over: Partial<StepEvent> = {}): StepEvent => ({
  event: 'step',
  time: '2026-12-04T10:00:00Z',
  host: 'rdls01',
  stepId: 'cals',
  action: 'licenseServer.reportCals',
  status: 'unchanged',
  after: {
    KeyPacks: [{ ProductVersion: 'Windows Server 2019', Type: 'per device', KeyPackId: 3, Total: 20, Issued: 8, Available: 12, Expires: '2038-01-19T03:14:07Z' }],
    DeviceCals: [
      { Computer: 'WS-042', HardwareId: 'h1', Status: 'active', ProductVersion: 'Windows Server 2019', LicenseId: 1015, KeyPackId: 3, Issued: '2026-08-19T14:05:00Z', Expires: '' },
      // What a client reported as its name reaches the CSV: a formula, a comma and a quote stay text.
      { Computer: '=HYPERLINK("http://x","y")', HardwareId: 'a,b', Status: 'active', ProductVersion: 'Windows Server 2019', LicenseId: 1016, KeyPackId: 3, Issued: '', Expires: '' },
    ],
  },
  durationMs: 5,
  ...over,
} as StepEvent);

describe('the files of a report', () => {
  test('JSON of the report and a CSV per table, header first, CRLF, formulas and separators kept as text', () => {
    const files = reportFiles(event());
    expect(files.map((f) => f.name)).toEqual(['report.cals.json', 'report.cals.keyPacks.csv', 'report.cals.deviceCals.csv', 'report.cals.usage.csv']);
    expect(JSON.parse(files[0]!.text)).toEqual({ stepId: 'cals', action: 'licenseServer.reportCals', time: '2026-12-04T10:00:00Z', report: event().after });
    expect(files[1]!.text).toBe('product version,type,key pack,total,issued,available,expires\r\nWindows Server 2019,per device,3,20,8,12,2038-01-19T03:14:07Z\r\n');
    expect(files[2]!.text.split('\r\n')).toEqual([
      'computer,hardware id,status,product version,license,key pack,issued,expires',
      'WS-042,h1,active,Windows Server 2019,1015,3,2026-08-19T14:05:00Z,',
      `"'=HYPERLINK(""http://x"",""y"")","a,b",active,Windows Server 2019,1016,3,,`,
      '',
    ]);
  });

  test('none for another action, a failed report, or a step id that is no file name', () => {
    expect(reportFiles(event({ action: 'rds.getGracePeriodDays' }))).toEqual([]);
    expect(reportFiles(event({ status: 'failed' }))).toEqual([]);
    expect(reportFiles(event({ stepId: '../x' }))).toEqual([]);
  });
});

describe('cal-report applied through the CLI on the simulated license server', () => {
  test('the record holds the report files, the manifest their hashes, and show-run the tables', async () => {
    const dir = tmp();
    const state = join(dir, 'rdls01.json');
    copyFileSync(join(EXAMPLES, 'states', 'license-server.json'), state);
    const records = join(dir, 'records');
    const plan = examplePath('cal-report');
    const apply = await rdsplan(['apply', plan, '--approve', await approvalToken(plan), '--simulate', state, '--records', records]);
    expect({ code: apply.code, stderr: apply.stderr }).toEqual({ code: 0, stderr: '' });
    const [record] = recordDirs(records);
    const manifest = JSON.parse(readFileSync(join(record!, 'record.json'), 'utf8')).manifest;
    expect(Object.keys(manifest.files).filter((name) => name.startsWith('report.')).sort()).toEqual(['report.cals.deviceCals.csv', 'report.cals.json', 'report.cals.keyPacks.csv', 'report.cals.usage.csv']);
    const csv = readFileSync(join(record!, 'report.cals.deviceCals.csv'), 'utf8').split('\r\n');
    expect(csv).toHaveLength(1 + 11 + 1);
    expect(csv).toContain('WS-042,0200030a-000003f7,active,Windows Server 2019,1015,3,2026-08-19T14:05:00Z,2027-08-18T14:05:00Z');
    expect(readFileSync(join(record!, 'report.cals.usage.csv'), 'utf8')).toBe('product version,type,installed,issued,availability\r\nWindows Server 2016,Per Device,5,2,Available\r\nWindows Server 2019,Per Device,20,8,Available\r\nWindows Server 2019,Per User,50,31,Available\r\n');
    expect(manifestMismatches(record!, manifest)).toEqual([]);

    const shown = await runCli(['show-run', record!]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^ +CAL packs \(3\):$/m);
    expect(shown.stdout).toMatch(/^ +Windows Server 2019 +per user +4 +50 +31 +19 +2038-01-19T03:14:07Z$/m);
    expect(shown.stdout).toMatch(/^ +issued per-device CALs \(11\):$/m);

    writeFileSync(join(record!, 'report.cals.keyPacks.csv'), 'forged\r\n');
    expect(manifestMismatches(record!, manifest)).toEqual([expect.stringMatching(/^report\.cals\.keyPacks\.csv has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/)]);
  }, 120_000);
});
