/**
 * The assembler keeps only the functions a script reaches. Whatever it drops must never be
 * called: every generated script (each example on both platforms, an undo script of every
 * action, the fleet driver) is checked on its output, independently of the assembler's own
 * walk: a name of any template function that appears in the script's code is defined in it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ACTIONS } from '../../src/actions/index.js';
import { assembleSections } from '../../src/render/assemble.js';
import { renderScript } from '../../src/render/script.js';
import { templateUnits } from '../../src/render/template-units.js';
import { actionTemplate, platformTemplates, runtimeTemplates } from '../../src/render/templates.js';
import { renderUndoScript } from '../../src/render/undo-script.js';
import { validatePlanFile } from '../../src/plan/validate.js';
import { fleetDriverText } from '../../src/run/fleet-driver.js';
import { EXAMPLES } from '../support/plans.js';

const file = (name: string, text: string) => ({ name, text });

describe('template units', () => {
  test('a function takes its comment line; a here-string may hold "function" and "}" at column 0', () => {
    const units = templateUnits(
      file('t.ps1', ["$script:Source = @'", 'function Not-AFunction {', '}', "'@", '', '# Says hello.', 'function Get-Hello {', "    $at = '@'", "    'hello'", '}', 'Register-Thing'].join('\n')),
    );
    expect(units.map((u) => (u.kind === 'function' ? `function ${u.name}: ${u.lines.length}` : `code: ${u.lines.length}`))).toEqual([
      'code: 5',
      'function Get-Hello: 5',
      'code: 1',
    ]);
  });

  test('a function without its closing brace at column 0 is an error naming the file and line', () => {
    expect(() => templateUnits(file('t.ps1', 'function Get-Hello {\n  }\n'))).toThrow('t.ps1:1: function Get-Hello has no closing');
  });
});

describe('assembleSections', () => {
  const lib = file(
    'lib.ps1',
    [
      '# Used.',
      'function Get-Used {',
      '',
      '    # why it calls Get-Deep',
      '    Get-Deep',
      '}',
      '# Deep.',
      'function Get-Deep {',
      "    'deep'",
      '}',
      '# Named in a string only.',
      'function Undo-Handler {',
      '    1',
      '}',
      '# Named in a comment only: Get-Unused is dropped.',
      'function Get-Unused {',
      '    # Get-Used',
      '    2',
      '}',
      '',
      '# file prose',
      "Register-Thing -Undo 'Undo-Handler'",
    ].join('\n'),
  );

  test('keeps what the caller, load-time code and kept functions name; drops the rest, the prose and the comments inside functions', () => {
    const [section] = assembleSections([lib], ['Get-Used']);
    expect(section).toBe(
      [
        '#region lib.ps1',
        '# Used.',
        'function Get-Used {',
        '    Get-Deep',
        '}',
        '# Deep.',
        'function Get-Deep {',
        "    'deep'",
        '}',
        '# Named in a string only.',
        'function Undo-Handler {',
        '    1',
        '}',
        "Register-Thing -Undo 'Undo-Handler'",
        '#endregion lib.ps1',
        '',
      ].join('\n'),
    );
  });

  test('a file nothing reaches leaves no section; a function defined twice is refused', () => {
    expect(assembleSections([file('a.ps1', '# A.\nfunction Get-A {\n}\n')], ['Get-B'])).toEqual([]);
    expect(() => assembleSections([file('a.ps1', 'function Get-A {\n}'), file('b.ps1', 'function Get-A {\n}')], [])).toThrow('b.ps1: function Get-A is defined twice');
  });
});

/** Every function any template defines. */
const allFunctions = new Set(
  [...runtimeTemplates(), ...platformTemplates('windows'), ...platformTemplates('sim'), ...ACTIONS.filter((a) => a.kind === 'primitive').map((a) => actionTemplate(a.name))].flatMap((f) =>
    templateUnits(f).flatMap((u) => (u.kind === 'function' ? [u.name] : [])),
  ),
);

function missingFunctions(script: string): string[] {
  const lines = script.replace(/\r\n/g, '\n').split('\n');
  const defined = new Set(lines.flatMap((line) => /^function ([\w-]+) \{$/.exec(line)?.slice(1) ?? []));
  const code = lines.filter((line) => !/^\s*#/.test(line)).join('\n');
  const named = new Set([...code.matchAll(/(?<![\w-])([A-Z][a-z]+-Rds[A-Za-z0-9]+)(?![\w-])/g)].map((m) => m[1]!));
  return [...named].filter((name) => allFunctions.has(name) && !defined.has(name)).sort();
}

const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));

describe('every generated script defines every template function its code names', () => {
  test.each(examples.flatMap((example) => (['windows', 'sim'] as const).map((platform) => [example, platform] as const)))('%s on %s', (example, platform) => {
    const { plan } = validatePlanFile(join(EXAMPLES, example));
    const rendered = renderScript(plan!, { platform });
    expect(missingFunctions(rendered.text)).toEqual([]);
  });

  test('what a plan does not reach stays out: the grace-period reset sets no licensing mode and undoes nothing by hand', () => {
    const { plan } = validatePlanFile(join(EXAMPLES, 'reset-grace-period.json'));
    const text = renderScript(plan!).text;
    expect(text).toContain('\nfunction Invoke-RdsPlanStep {');
    expect(text).not.toContain('\nfunction Set-RdsLicensingType {');
    expect(text).not.toContain('\nfunction Invoke-RdsUndoStep {');
  });

  test.each(['windows', 'sim'] as const)('an undo script of every primitive action on %s', (platform) => {
    const primitives = ACTIONS.filter((a) => a.kind === 'primitive');
    const rendered = renderUndoScript(
      {
        plan: { name: 'u', sha256: '0'.repeat(64) },
        journal: primitives.map((a, i) => ({ stepId: `s${i}`, action: a.name, undo: {} })),
        steps: primitives.map((a, i) => ({ id: `s${i}`, action: a.name, params: {} })),
      },
      'C:\\ProgramData\\rdsplan\\backups',
      { platform },
    );
    expect(missingFunctions(rendered.text)).toEqual([]);
  });

  test('the fleet driver', () => {
    expect(missingFunctions(fleetDriverText())).toEqual([]);
  });
});
