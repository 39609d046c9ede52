import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { validatePlanText } from '../../src/plan/validate.js';
import { renderScript } from '../../src/render/script.js';
import { verifyScript } from '../../src/verify/verify-script.js';

/**
 * Any string in any string field of a plan either fails validation with a positioned message,
 * or renders to a script in which PowerShell's grammar finds it as one intact literal.
 */
const hostile = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("'", '\u2018', '\u2019', '\u201A', '\u201B', '"', '`', '$', '(', ')', '{', '}', '@', '#', '<', '>', ';', '|', '&', '\\', '\r', '\n', '\t', '\u0000', '\u0085', '\u2028', '\u00A0') },
    { weight: 2, arbitrary: fc.constantFrom('$(Remove-Item C:\\ -Recurse)', "'@", '"@', '#>', '<#', '${env:PATH}', '`n', "' + (whoami) + '", '\uD800', '\uDC00') },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) },
  ),
  minLength: 1,
  maxLength: 24,
});

type Field = { name: string; plan: (s: string) => unknown };

const base = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ apiVersion: 'rdsplan/v1', name: 'p', targets: ['localhost'], steps, ...extra });
const skip = { skip: true, reason: 'property test of quoting' };

const FIELDS: Field[] = [
  { name: 'registry path segment', plan: (s) => base([{ id: 'v', action: 'registry.setValue', path: `HKLM\\SOFTWARE\\${s}`, name: 'n', type: 'String', data: 'd', backup: skip }]) },
  { name: 'value name', plan: (s) => base([{ id: 'v', action: 'registry.deleteValue', path: 'HKLM\\SOFTWARE\\X', name: s, backup: skip }]) },
  { name: 'value pattern', plan: (s) => base([{ id: 'v', action: 'registry.deleteValue', path: 'HKLM\\SOFTWARE\\X', namePattern: s, backup: skip }]) },
  { name: 'String data', plan: (s) => base([{ id: 'v', action: 'registry.setValue', path: 'HKLM\\SOFTWARE\\X', name: 'n', type: 'ExpandString', data: s, backup: skip }]) },
  { name: 'MultiString item', plan: (s) => base([{ id: 'v', action: 'registry.setValue', path: 'HKLM\\SOFTWARE\\X', name: 'n', type: 'MultiString', data: ['a', s], backup: skip }]) },
  { name: 'service name', plan: (s) => base([{ id: 's', action: 'service.setStartMode', name: s, startMode: 'Manual' }]) },
  { name: 'license server', plan: (s) => base([{ id: 'l', action: 'rds.setLicenseServers', servers: [s] }]) },
  { name: 'export file', plan: (s) => base([{ id: 'e', action: 'registry.export', path: 'HKLM\\SOFTWARE\\X', file: `C:\\b\\${s}.reg`, outsideBackupDirectory: { reason: 'a property test of file names' } }]) },
  { name: 'backup directory', plan: (s) => base([{ id: 'g', action: 'rds.resetGracePeriod' }], { options: { backupDirectory: `C:\\rdsplan\\${s}` } }) },
  { name: 'plan name', plan: (s) => ({ ...base([{ id: 'g', action: 'rds.resetGracePeriod' }]), name: s }) },
  { name: 'step description', plan: (s) => base([{ id: 'g', action: 'rds.resetGracePeriod', description: s }]) },
  { name: 'change id', plan: (s) => base([{ id: 'g', action: 'rds.resetGracePeriod' }], { change: { id: s } }) },
];

describe.each(FIELDS)('a hostile $name', ({ plan }) => {
  test('is refused with a positioned error or stays one intact literal', async () => {
    let rendered = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        const result = validatePlanText('plan.json', new TextEncoder().encode(JSON.stringify(plan(value), null, 2)));
        if (!result.plan) {
          refused++;
          expect(result.diagnostics.length).toBeGreaterThan(0);
          for (const d of result.diagnostics) {
            expect(d.line).toBeGreaterThan(0);
            expect(d.column).toBeGreaterThan(0);
            expect(d.message.length).toBeGreaterThan(5);
          }
          return;
        }
        rendered++;
        const script = renderScript(result.plan);
        const report = await verifyScript(script.text, { expectedLiterals: script.literals, powershell: 'off' });
        expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
      }),
      // The two examples make sure both outcomes occur, so the property cannot pass vacuously.
      { numRuns: 40, examples: [['ordinary-value'], ['x\u0000y']] },
    );
    expect(rendered).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
