import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { validatePlanText } from '../../src/plan/validate.js';

/** Schema errors no longer hide policy errors: one validate shows everything that is certain. */
function messages(plan: object): string[] {
  return validatePlanText('plan.json', new TextEncoder().encode(JSON.stringify(plan, null, 2))).diagnostics.map((d) => `${d.line}:${d.column} ${d.pointer} ${d.code}`);
}

const envelope = (steps: object[], targets: unknown[] = ['localhost']) => ({ apiVersion: 'rdsplan/v1', name: 'p', targets, steps });
const exportKey = (id: string, path: string) => ({ id, action: 'registry.export', path });
const deleteKey = (id: string, path: string) => ({ id, action: 'registry.deleteKey', path, recurse: true });

describe('schema and policy errors in one pass', () => {
  test('a misspelt property and a missing backup, a protected key, case-duplicate targets and a duplicate id are all reported', () => {
    const plan = envelope(
      [
        deleteKey('old', 'HKLM\\SOFTWARE\\Contoso'),
        { ...exportKey('e', 'HKLM\\SOFTWARE\\Fabrikam'), fiel: 'x.reg' },
        deleteKey('svc', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService'),
        exportKey('old', 'HKLM\\SOFTWARE\\Other'),
      ],
      ['RDSH01', 'rdsh01'],
    );
    expect(messages(plan)).toEqual([
      '6:5 /targets/1 policy.unique-target',
      '9:5 /steps/0 policy.backup',
      '19:7 /steps/1/fiel schema.additionalProperties',
      '24:15 /steps/2/path policy.protected-key',
      '28:13 /steps/3/id policy.unique-id',
    ]);
  });

  test('a step the schema faulted could be the export that covers a later step: no backup finding after it, none invented', () => {
    const plan = envelope([{ ...exportKey('e', 'HKLM\\SOFTWARE\\Contoso'), fiel: 'x.reg' }, deleteKey('d', 'HKLM\\SOFTWARE\\Contoso\\Cache')]);
    expect(messages(plan)).toEqual(['12:7 /steps/0/fiel schema.additionalProperties']);
  });

  test('a faulted dependsOn or step id is the schema\'s to report; the policy only reads well-formed ids', () => {
    const plan = envelope([exportKey('a', 'HKLM\\SOFTWARE\\X'), { ...exportKey('b', 'HKLM\\SOFTWARE\\Y'), dependsOn: [7, 'zz', 'a'] }, { action: 'registry.export', path: 'HKLM\\SOFTWARE\\Z' }]);
    expect(messages(plan)).toEqual(['18:9 /steps/1/dependsOn/0 schema.type', '19:9 /steps/1/dependsOn/1 policy.depends-on', '23:5 /steps/2 schema.required']);
  });

  test('a faulted backup folder does not make every export file "outside" it', () => {
    const plan = { ...envelope([{ ...exportKey('e', 'HKLM\\SOFTWARE\\X'), file: 'D:\\Exports\\x.reg' }]), options: { backupDirectory: 'relative\\folder' } };
    expect(messages(plan)).toEqual(['16:24 /options/backupDirectory schema.pattern']);
  });

  test('a plan the schema passes is judged exactly as before', () => {
    expect(messages(envelope([exportKey('e', 'HKLM\\SOFTWARE\\X'), deleteKey('d', 'HKLM\\SOFTWARE\\X\\Cache')]))).toEqual([]);
  });
});

describe('the policy on a faulted plan reads data as written', () => {
  test('any JSON in place of a step, a step field, a target or the options ends in diagnostics, never a crash', () => {
    const valid = envelope([exportKey('e', 'HKLM\\SOFTWARE\\X'), { ...deleteKey('d', 'HKLM\\SOFTWARE\\X\\Cache'), dependsOn: ['e'] }], ['rdsh01']) as Record<string, unknown> & { steps: Record<string, unknown>[] };
    const field = fc.constantFrom('id', 'action', 'path', 'dependsOn', 'recurse', 'view', 'backup');
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(3), field, fc.constantFrom('step', 'field', 'target', 'options'), (junk, at, name, where) => {
        const plan = structuredClone(valid);
        if (where === 'step') plan.steps[at % 2] = junk as Record<string, unknown>;
        if (where === 'field') plan.steps[at % 2]![name] = junk;
        if (where === 'target') plan.targets = [junk, 'RDSH01'];
        if (where === 'options') plan.options = junk;
        const { diagnostics } = validatePlanText('plan.json', new TextEncoder().encode(JSON.stringify(plan)));
        expect(diagnostics.every((d) => d.line >= 1 && d.column >= 1 && typeof d.message === 'string')).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
