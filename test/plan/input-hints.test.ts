import { describe, expect, test } from '@jest/globals';
import { formatDiagnostic } from '../../src/plan/diagnostics.js';
import { validatePlanText } from '../../src/plan/validate.js';

/** Hints for what other Windows tools and JSON's own rules lead an administrator to write. */
function messages(text: string): string[] {
  return validatePlanText('plan.json', new TextEncoder().encode(text)).diagnostics.map(formatDiagnostic);
}

const plan = (step: string) => `{
  "apiVersion": "rdsplan/v1",
  "name": "p",
  "targets": ["localhost"],
  "steps": [
    ${step}
  ]
}`;

const exportOf = (path: string) => plan(`{ "id": "e", "action": "registry.export", "path": ${JSON.stringify(path)} }`);

describe('registry paths in other tools\' spellings', () => {
  test.each([
    ['hklm\\SOFTWARE\\Contoso', 'hive names are written in capitals'],
    ['Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso', '"Registry::" is the PowerShell provider prefix, which a plan leaves out'],
    ['Microsoft.PowerShell.Core\\Registry::HKLM\\SOFTWARE\\Contoso', '"Registry::" is the PowerShell provider prefix, which a plan leaves out'],
    ['Computer\\HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso', '"Computer\\" is from regedit\'s address bar, which a plan leaves out'],
    ['HKLM/SOFTWARE/Contoso', 'registry paths take backslashes, not "/"'],
  ])('%s gets a did-you-mean with the canonical spelling, at its line and column', (path, reason) => {
    expect(messages(exportOf(path))).toEqual([
      `plan.json:6:55: error: /steps/0/path: not a registry path as a plan writes it (${reason}): did you mean HKLM\\SOFTWARE\\Contoso? In JSON: "HKLM\\\\SOFTWARE\\\\Contoso"`,
    ]);
  });

  test('regedit\'s address bar with a lower-case hive names both reasons', () => {
    expect(messages(exportOf('Computer\\hkey_current_user\\Software\\Contoso'))[0]).toContain(
      '("Computer\\" is from regedit\'s address bar, which a plan leaves out; hive names are written in capitals): did you mean HKCU\\Software\\Contoso?',
    );
  });

  test('a path no spelling fix can save keeps the general message', () => {
    expect(messages(exportOf('HKEY_CURRENT_CONFIG\\Software'))).toEqual([
      'plan.json:6:55: error: /steps/0/path: must be a registry key path below a hive, such as HKLM\\SOFTWARE\\Contoso (roots HKLM, HKCU, HKU, HKCR; no empty segments, no control characters)',
    ]);
  });
});

describe('JSON backslashes', () => {
  test('a single backslash in a path gets a hint to double it, at the backslash', () => {
    expect(messages(plan('{ "id": "e", "action": "registry.export", "path": "HKLM\\SOFTWARE\\Contoso" }'))).toEqual([
      'plan.json:6:60: error: /: not valid JSON: a single backslash ("\\S") starts a JSON escape; write each backslash twice, as in "HKLM\\\\SOFTWARE"',
    ]);
    expect(messages(plan('{ "id": "e", "action": "registry.export", "path": "HKLM\\\\SOFTWARE", "file": "C:\\users\\x.reg" }'))[0]).toMatch(
      /^plan\.json:6:\d+: error: \/: not valid JSON: a single backslash \("\\u"\) starts a JSON escape/,
    );
  });

  test('other syntax errors keep the parser\'s words', () => {
    expect(messages('{ "apiVersion": }')).toEqual(["plan.json:1:17: error: /: not valid JSON: Unexpected token RBrace found."]);
  });

  test('a single backslash JSON accepted as an escape (\\n) is named where it turned into a control character', () => {
    const [message] = messages(plan('{ "id": "e", "action": "registry.export", "path": "HKLM\\\\SOFTWARE\\\\Contoso\\new" }'));
    expect(message).toContain('/steps/0/path: must be a registry key path below a hive');
    expect(message).toContain('(JSON read "\\n" as a control character: a single backslash starts an escape, so write each backslash twice, as in "HKLM\\\\SOFTWARE")');
  });
});

describe('registry value types and data', () => {
  const setValue = (type: string, data: string) =>
    plan(`{ "id": "v", "action": "registry.setValue", "path": "HKLM\\\\SOFTWARE\\\\X", "name": "n", "type": ${JSON.stringify(type)}, "data": ${data}, "backup": { "skip": true, "reason": "a new value, nothing to keep" } }`);

  test.each([
    ['REG_DWORD', 'DWord'],
    ['REG_SZ', 'String'],
    ['reg_expand_sz', 'ExpandString'],
    ['REG_MULTI_SZ', 'MultiString'],
    ['REG_QWORD', 'QWord'],
    ['REG_BINARY', 'Binary'],
  ])('%s names the plan\'s type %s', (regType, name) => {
    expect(messages(setValue(regType, '1'))).toEqual([
      `plan.json:6:99: error: /steps/0/type: must be one of "String", "ExpandString", "MultiString", "DWord", "QWord", "Binary" (did you mean "${name}"? ${regType} is reg.exe's name for it)`,
    ]);
  });

  test('"0x10" as DWord data: JSON has no hex numbers, write 16', () => {
    expect(messages(setValue('DWord', '"0x10"'))).toEqual(['plan.json:6:116: error: /steps/0/data: must be an integer (JSON has no hex numbers: write 16 without quotes for 0x10)']);
    expect(messages(setValue('DWord', '"16"'))).toEqual(['plan.json:6:116: error: /steps/0/data: must be an integer (write 16 without quotes)']);
    expect(messages(setValue('DWord', '"sixteen"'))).toEqual(['plan.json:6:116: error: /steps/0/data: must be an integer']);
  });
});

describe('plans written by ConvertTo-Json without -Depth', () => {
  // What Windows PowerShell 5.1 and PowerShell 7 write for a hashtable plan at the default -Depth 2.
  const flattened = `{
  "name": "p",
  "apiVersion": "rdsplan/v1",
  "steps": [
    { "grant": "System.Collections.Hashtable", "id": "o", "action": "registry.takeOwnership", "path": "HKLM\\\\SOFTWARE\\\\X" },
    { "id": "s", "action": "rds.setLicenseServers", "servers": "lic01 lic02" },
    { "id": "m", "action": "registry.setValue", "path": "HKLM\\\\SOFTWARE\\\\X", "name": "n", "type": "MultiString", "data": "@{value=a}" }
  ],
  "targets": [ "localhost" ]
}`;

  test('type names and @{…} text where objects or lists belong get a hint to use -Depth, and so does the list flattened to text', () => {
    const found = messages(flattened).filter((m) => /must be an array/.test(m));
    expect(found).toEqual([
      'plan.json:5:16: error: /steps/0/grant: must be an array ("System.Collections.Hashtable" is how ConvertTo-Json writes a value nested deeper than its -Depth, default 2: write the plan with ConvertTo-Json -Depth 10)',
      'plan.json:6:64: error: /steps/1/servers: must be an array (ConvertTo-Json wrote this plan and flattened what is nested deeper than its -Depth, default 2, into text: write the plan with ConvertTo-Json -Depth 10)',
      'plan.json:7:122: error: /steps/2/data: must be an array ("@{value=a}" is how ConvertTo-Json writes a value nested deeper than its -Depth, default 2: write the plan with ConvertTo-Json -Depth 10)',
    ]);
  });

  test('a hand-written string where a list belongs, with no trace of ConvertTo-Json, gets no -Depth hint', () => {
    expect(messages(plan('{ "id": "s", "action": "rds.setLicenseServers", "servers": "lic01" }'))).toEqual(['plan.json:6:64: error: /steps/0/servers: must be an array']);
  });
});
