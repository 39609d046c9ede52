import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { formatDiagnostic } from '../../src/plan/diagnostics.js';
import { validatePlanFile, validatePlanText } from '../../src/plan/validate.js';

/** A corpus of broken plans, each with the exact diagnostics it must produce. */
const envelope = (steps: string, extra = '') => `{
  "apiVersion": "rdsplan/v1",
  "name": "p",${extra}
  "targets": ["localhost"],
  "steps": [
${steps}
  ]
}`;

function messages(text: string | Uint8Array): string[] {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return validatePlanText('plan.json', bytes).diagnostics.map(formatDiagnostic);
}

const cases: [string, string, string[]][] = [
  ['misspelt action', envelope('    { "id": "grace", "action": "rds.resetGracePeriodd" }'), ['plan.json:6:32: error: /steps/0/action: unknown action "rds.resetGracePeriodd" (did you mean "rds.resetGracePeriod"?)']],
  ['missing action', envelope('    { "id": "grace" }'), ['plan.json:6:5: error: /steps/0: missing required property "action"']],
  [
    'unknown property with a hint',
    envelope('    { "id": "grace", "action": "rds.resetGracePeriod", "restartSevice": true }'),
    ['plan.json:6:56: error: /steps/0/restartSevice: unknown property "restartSevice" (did you mean "restartService"?)'],
  ],
  [
    'wrong apiVersion and missing targets',
    '{ "apiVersion": "rdsplan/v2", "name": "p", "steps": [] }',
    ['plan.json:1:1: error: /: missing required property "targets"', 'plan.json:1:17: error: /apiVersion: must be "rdsplan/v1"', 'plan.json:1:53: error: /steps: must have at least 1 item'],
  ],
  [
    'DWord out of range',
    envelope('    { "id": "v", "action": "registry.setValue", "path": "HKLM\\\\SOFTWARE\\\\X", "name": "a", "type": "DWord", "data": 4294967296, "backup": { "skip": true, "reason": "new value, nothing to keep" } }'),
    ['plan.json:6:116: error: /steps/0/data: must be <= 4294967295 (an integer from 0 to 4294967295)'],
  ],
  [
    'QWord beyond what JSON numbers carry',
    envelope('    { "id": "v", "action": "registry.setValue", "path": "HKLM\\\\SOFTWARE\\\\X", "name": "a", "type": "QWord", "data": 18446744073709551616 }'),
    ['plan.json:6:116: error: /steps/0/data: the number 18446744073709551616 is too large for JSON to carry exactly; write it as a string'],
  ],
  [
    'QWord string beyond 64 bits',
    envelope('    { "id": "v", "action": "registry.setValue", "path": "HKLM\\\\SOFTWARE\\\\X", "name": "a", "type": "QWord", "data": "18446744073709551616", "backup": { "skip": true, "reason": "new value, nothing to keep" } }'),
    ['plan.json:6:116: error: /steps/0/data: a QWord holds at most 18446744073709551615 (0xffffffffffffffff)'],
  ],
  [
    'Binary data that is not hex',
    envelope('    { "id": "v", "action": "registry.setValue", "path": "HKLM\\\\SOFTWARE\\\\X", "name": "a", "type": "Binary", "data": "0g" }'),
    ['plan.json:6:117: error: /steps/0/data: must be hex bytes such as "0a1b2c" or "0a,1b,2c"'],
  ],
  [
    'name and namePattern together',
    envelope('    { "id": "d", "action": "registry.deleteValue", "path": "HKLM\\\\SOFTWARE\\\\X", "name": "a", "namePattern": "b*" }'),
    ['plan.json:6:5: error: /steps/0: needs exactly one of "name" or "namePattern"'],
  ],
  [
    'empty path segment',
    envelope('    { "id": "d", "action": "registry.deleteKey", "path": "HKLM\\\\SOFTWARE\\\\\\\\X" }'),
    ['plan.json:6:58: error: /steps/0/path: must be a registry key path below a hive, such as HKLM\\SOFTWARE\\Contoso (roots HKLM, HKCU, HKU, HKCR; no empty segments, no control characters)'],
  ],
  [
    'destructive step without a backup',
    envelope('    { "id": "d", "action": "registry.deleteKey", "path": "HKLM\\\\SOFTWARE\\\\Contoso\\\\Cache", "recurse": true }'),
    ['plan.json:6:5: error: /steps/0: step "d" changes HKLM\\SOFTWARE\\Contoso\\Cache but no earlier registry.export covers it; add one, or "backup": { "skip": true, "reason": "…" }'],
  ],
  [
    'deleting a top-level key',
    envelope('    { "id": "d", "action": "registry.deleteKey", "path": "HKLM\\\\SOFTWARE", "backup": { "skip": true, "reason": "testing the guard rails" } }'),
    ['plan.json:6:58: error: /steps/0/path: HKLM\\SOFTWARE is a hive root or top-level key; no plan may delete it'],
  ],
  [
    'deleting the service database',
    envelope('    { "id": "e", "action": "registry.export", "path": "HKLM\\\\SYSTEM\\\\CurrentControlSet" },\n    { "id": "d", "action": "registry.deleteSubkeys", "path": "HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Services" }'),
    ['plan.json:7:62: error: /steps/1/path: HKLM\\SYSTEM\\CurrentControlSet\\Services is the service database, which is protected: no plan may delete its subkeys (sc.exe delete or the vendor\'s uninstaller removes a service)'],
  ],
  [
    'duplicate ids and forward dependencies',
    envelope('    { "id": "a", "action": "service.start", "name": "TermService", "dependsOn": ["b"] },\n    { "id": "a", "action": "service.start", "name": "UmRdpService" },\n    { "id": "b", "action": "service.start", "name": "Spooler", "dependsOn": ["x"] }'),
    [
      'plan.json:6:82: error: /steps/0/dependsOn/0: depends on "b", which comes later; dependencies must name earlier steps',
      'plan.json:7:13: error: /steps/1/id: step id "a" is already used by /steps/0',
      'plan.json:8:78: error: /steps/2/dependsOn/0: depends on "x", which is no step of this plan',
    ],
  ],
  [
    'two owners of one key',
    envelope(
      '    { "id": "e", "action": "registry.export", "path": "HKLM\\\\SOFTWARE\\\\Contoso" },\n    { "id": "o1", "action": "registry.takeOwnership", "path": "HKLM\\\\SOFTWARE\\\\Contoso\\\\Locked" },\n    { "id": "o2", "action": "registry.takeOwnership", "path": "HKLM:\\\\SOFTWARE\\\\Contoso\\\\Locked\\\\" }',
    ),
    ['plan.json:8:5: error: /steps/2: HKLM\\SOFTWARE\\Contoso\\Locked is still owned by step "o1"; its original ACL is restored only later'],
  ],
  ['duplicate key', '{ "apiVersion": "rdsplan/v1", "name": "p", "name": "q", "targets": ["localhost"], "steps": [{ "id": "g", "action": "rds.resetGracePeriod" }] }', ['plan.json:1:44: error: /name: duplicate property "name" (JSON keeps only the last one)']],
  ['syntax error', '{\n  "apiVersion": "rdsplan/v1",\n  "name": }', ['plan.json:3:11: error: /: not valid JSON: Unexpected token RBrace found.']],
  ['not an object', '[1, 2]', ['plan.json:1:1: error: /: must be an object']],
  ['empty file', '  \r\n', ['plan.json:1:1: error: /: the file is empty; a plan is a JSON object']],
  ['control character in a value name', envelope('    { "id": "v", "action": "registry.deleteValue", "path": "HKLM\\\\SOFTWARE\\\\X", "name": "a\\nb", "backup": { "skip": true, "reason": "value is regenerated" } }'), ['plan.json:6:89: error: /steps/0/name: must be a registry value name ("" is the default value) without control characters (JSON read "\\n" as a control character: a single backslash starts an escape, so write each backslash twice, as in "HKLM\\\\SOFTWARE")']],
  ['lone surrogate', envelope('    { "id": "v", "action": "service.start", "name": "a\\ud800b" }'), ['plan.json:6:53: error: /steps/0/name: must be a service name such as TermService (no slashes or control characters)']],
];

describe('broken plans', () => {
  test.each(cases)('%s', (_name, text, expected) => {
    expect(messages(text)).toEqual(expected);
  });

  test('20,000 levels of nesting end in one error, not a stack overflow', () => {
    expect(messages('['.repeat(20000) + ']'.repeat(20000))).toEqual(['plan.json:1:65: error: /: nested deeper than 64 levels; a plan needs far fewer']);
  });

  test('a 10 MB file is refused before parsing', () => {
    const big = new Uint8Array(10 * 1024 * 1024).fill(0x20);
    expect(messages(big)).toEqual(['plan.json:1:1: error: /: the file is 10485760 bytes; a plan may be at most 1048576 bytes (1 MiB)']);
  });

  describe('reading the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdsplan-read-'));
    const fileMessages = (file: string) => validatePlanFile(file).diagnostics.map(formatDiagnostic);

    test('a device is refused without reading it (/dev/zero never ends)', () => {
      expect(fileMessages('/dev/zero')).toEqual(['/dev/zero:1:1: error: /: cannot read the plan: not a regular file (a device, pipe or socket); a plan is a file']);
    });

    test('a FIFO is refused without waiting for a writer', () => {
      const fifo = join(dir, 'plan.fifo');
      execFileSync('mkfifo', [fifo]);
      expect(fileMessages(fifo)).toEqual([`${fifo}:1:1: error: /: cannot read the plan: not a regular file (a device, pipe or socket); a plan is a file`]);
    });

    test('a 1.5 GB sparse file is refused by its size, reading at most the limit', () => {
      const sparse = join(dir, 'sparse.json');
      const fd = openSync(sparse, 'w');
      ftruncateSync(fd, 1_500_000_000);
      closeSync(fd);
      expect(fileMessages(sparse)).toEqual([`${sparse}:1:1: error: /: the file is 1500000000 bytes; a plan may be at most 1048576 bytes (1 MiB)`]);
    });

    test('a folder is named as one', () => {
      expect(fileMessages(dir)).toEqual([`${dir}:1:1: error: /: cannot read the plan: is a directory, not a plan file`]);
    });
  });

  test('UTF-16 without a BOM is refused with a sentence saying so', () => {
    const utf16 = Buffer.from('{ "a": 1 }', 'utf16le');
    expect(messages(utf16)).toEqual(['plan.json:1:1: error: /: the file holds NUL bytes: it looks like UTF-16 without a byte order mark; save it as UTF-8']);
  });

  test('invalid UTF-8 names the place', () => {
    const bytes = Buffer.concat([Buffer.from('{\n  "name": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n}')]);
    expect(messages(bytes)).toEqual(['plan.json:2:12: error: /: the file is not valid UTF-8 (save it as UTF-8, with or without BOM)']);
  });
});
