import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { quotePowerShell } from '../../src/render/quote.js';
import { verifyScript } from '../../src/verify/verify-script.js';
import { buildScript, STEPS } from '../support/scripts.js';

// C0 and C1 controls are out of scope (the plan schema keeps them out of values).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const codePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !CONTROL.test(c));
// Characters with a meaning to PowerShell's or the grammar's lexer, so they come up often.
const special = fc.constantFrom("'", '\u2018', '\u2019', '\u201A', '\u201B', '"', '\u201C', '\u201D', '\u201E', '$', '`', '#', '<#', '#>', "@'", "'@", '@"', '"@', '$(', ')', '{', '}', ';', '|', '&&', '??', '?', ':', ' ', '\u00A0', '\u2028', '\uFEFF');
const value = fc.string({ unit: fc.oneof({ weight: 3, arbitrary: codePoint }, { weight: 2, arbitrary: special }), maxLength: 40 });

describe('any value rendered with quotePowerShell verifies as an intact literal', () => {
  test('property: -Parameters @{ Name = <quoted value> }', async () => {
    await fc.assert(
      fc.asyncProperty(value, async (s) => {
        const step = `Invoke-RdsPlanStep -Context $RdsContext -StepId 'prop' -Action 'registry.setValue' -RunWhen 'always' -DependsOn @('grace-export') -Parameters @{ Name = ${quotePowerShell(s)}; View = 'Default' }`;
        const report = await verifyScript(buildScript({ steps: [STEPS[0]!, step] }), { powershell: 'off', expectedLiterals: [s] });
        expect(report.findings).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test('the check is not vacuous: the same values pasted in unquoted-doubling form fail when they hold a quote', async () => {
    await fc.assert(
      fc.asyncProperty(value.filter((s) => /['\u2018\u2019\u201A\u201B]/.test(s)), async (s) => {
        const step = `Invoke-RdsPlanStep -Context $RdsContext -StepId 'prop' -Action 'registry.setValue' -RunWhen 'always' -DependsOn @() -Parameters @{ Name = '${s}' }`;
        const report = await verifyScript(buildScript({ steps: [step] }), { powershell: 'off', expectedLiterals: [s] });
        expect(report.ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
