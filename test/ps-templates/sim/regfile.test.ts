/**
 * reg.exe export / import of the simulated host: the .reg file format (UTF-16LE, BOM,
 * reg-file value syntax, wrapping), exact round trips for every value type, the 32-bit
 * view, and the failures reg.exe reports.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, afterAll, beforeAll, expect, test } from '@jest/globals';
import { GRACE, SimWorkspace, TIMEBOMB, stateKey, stateValue } from './harness.js';

let ws: SimWorkspace;
beforeAll(() => {
  ws = new SimWorkspace();
});
afterAll(() => ws.dispose());

const KEY = 'HKLM\\SOFTWARE\\Contoso\\Types';
const LONG_BINARY = Array.from({ length: 100 }, (_, i) => (i * 7 + 3).toString(16).padStart(2, '0').slice(-2)).join('');

/** Every value type, with the edge cases of each (quotes, backslashes, empty, max, non-ASCII, NUL). */
const VALUES = `
$values = @(
    @{ Name = ''; Type = 'String'; Data = 'default "value"' },
    @{ Name = 'Plain'; Type = 'String'; Data = 'C:\\Program Files\\Contoso\\' },
    @{ Name = 'Quote "and" \\ backslash'; Type = 'String'; Data = 'x"y\\"z' },
    @{ Name = 'Empty'; Type = 'String'; Data = '' },
    @{ Name = 'Unicode'; Type = 'String'; Data = ('Gr' + [char]0x00FC + [char]0x00DF + 'e ' + [char]0x20AC) },
    @{ Name = 'Lines'; Type = 'String'; Data = ('line1' + [char]13 + [char]10 + 'line2') },
    @{ Name = 'Expand'; Type = 'ExpandString'; Data = '%SystemRoot%\\System32\\lserver.exe' },
    @{ Name = 'ExpandEmpty'; Type = 'ExpandString'; Data = '' },
    @{ Name = 'Multi'; Type = 'MultiString'; Data = [string[]]@('ls1.contoso.com', 'ls2.contoso.com') },
    @{ Name = 'MultiGaps'; Type = 'MultiString'; Data = [string[]]@('a', '', 'b') },
    @{ Name = 'MultiOneEmpty'; Type = 'MultiString'; Data = [string[]]@('') },
    @{ Name = 'MultiEmpty'; Type = 'MultiString'; Data = [string[]]@() },
    @{ Name = 'DwordZero'; Type = 'DWord'; Data = 0 },
    @{ Name = 'DwordTen'; Type = 'DWord'; Data = 10 },
    @{ Name = 'DwordMax'; Type = 'DWord'; Data = 4294967295 },
    @{ Name = 'QwordZero'; Type = 'QWord'; Data = '0' },
    @{ Name = 'QwordMax'; Type = 'QWord'; Data = '18446744073709551615' },
    @{ Name = 'BinaryEmpty'; Type = 'Binary'; Data = '' },
    @{ Name = 'BinaryLong'; Type = 'Binary'; Data = '${LONG_BINARY}' },
    @{ Name = 'Raw'; Type = 'None'; Data = '00ff' }
)
foreach ($v in $values) { Set-RdsRegistryValue -Path '${KEY}' -Name $v.Name -Type $v.Type -Data $v.Data -View 'Default' }
Set-RdsRegistryValue -Path '${KEY}\\Sub\\Deeper' -Name 'Level' -Type 'DWord' -Data 3 -View 'Default'
Set-RdsRegistryValue -Path '${KEY}\\Another' -Name 'Flag' -Type 'Binary' -Data '01' -View 'Default'
`;

const SNAPSHOT = `
function Get-TestTree {
    param([string] $Path, [string] $View)
    $values = [System.Collections.Generic.List[object]]::new()
    foreach ($name in @(Get-RdsRegistryValueName -Path $Path -View $View)) { $values.Add((Get-RdsRegistryValue -Path $Path -Name $name -View $View)) }
    $subkeys = [System.Collections.Generic.List[object]]::new()
    foreach ($sub in @(Get-RdsRegistrySubkeyName -Path $Path -View $View)) { $subkeys.Add(@{ name = $sub; tree = (Get-TestTree -Path ($Path + '\\' + $sub) -View $View) }) }
    return @{ values = $values.ToArray(); subkeys = $subkeys.ToArray() }
}
`;

describe('simulated host: reg.exe export and import', () => {
  let run: Awaited<ReturnType<SimWorkspace['run']>>;
  let regFile: string;

  beforeAll(async () => {
    regFile = ws.path('types.reg');
    run = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
${VALUES}
${SNAPSHOT}
$before = Get-TestTree -Path '${KEY}' -View 'Default'
Write-TestResult -Label 'before' -Value $before
Export-RdsRegistryKey -Path '${KEY}' -View 'Default' -File '${regFile}'
Remove-RdsRegistryKey -Path '${KEY}' -View 'Default' -Recurse
Write-TestResult -Label 'gone' -Value (Test-RdsRegistryKey -Path '${KEY}' -View 'Default')
Import-RdsRegistryFile -File '${regFile}' -View 'Default'
$after = Get-TestTree -Path '${KEY}' -View 'Default'
Write-TestResult -Label 'after' -Value $after
Write-TestResult -Label 'same' -Value ((ConvertTo-RdsJson -InputObject $before) -ceq (ConvertTo-RdsJson -InputObject $after))
Write-TestResult -Label 'multiEmptyIsArray' -Value ((Get-RdsRegistryValue -Path '${KEY}' -Name 'MultiEmpty' -View 'Default').Data -is [string[]])
Write-TestResult -Label 'dwordIsLong' -Value ((Get-RdsRegistryValue -Path '${KEY}' -Name 'DwordMax' -View 'Default').Data -is [long])
Complete-RdsPlatform
`,
      'types.json',
      'types.ps1',
    );
  });

  test('runs to the end', () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  test('canonical forms are kept for every type', () => {
    const byName = Object.fromEntries(run.results.before.values.map((v: any) => [v.Name, v]));
    expect(byName['']).toEqual({ Name: '', Type: 'String', Data: 'default "value"' });
    expect(byName.Unicode.Data).toBe('Grüße €');
    expect(byName.Lines.Data).toBe('line1\r\nline2');
    expect(byName.MultiGaps).toEqual({ Name: 'MultiGaps', Type: 'MultiString', Data: ['a', '', 'b'] });
    expect(byName.MultiOneEmpty.Data).toEqual(['']);
    expect(byName.MultiEmpty.Data).toEqual([]);
    expect(byName.DwordMax.Data).toBe(4294967295);
    expect(byName.QwordMax.Data).toBe('18446744073709551615');
    expect(byName.BinaryLong.Data).toBe(LONG_BINARY);
    expect(byName.Raw).toEqual({ Name: 'Raw', Type: 'None', Data: '00ff' });
    expect(run.results.multiEmptyIsArray).toBe(true);
    expect(run.results.dwordIsLong).toBe(true);
  });

  test('export, delete, import: the tree comes back exactly (values, types, data, order, subkeys)', () => {
    expect(run.results.gone).toBe(false);
    expect(run.results.after).toEqual(run.results.before);
    expect(run.results.same).toBe(true);
    expect(run.results.before.values).toHaveLength(20);
    expect(run.results.before.subkeys.map((s: any) => s.name)).toEqual(['Another', 'Sub']);
  });

  test('the .reg file is what reg.exe writes: UTF-16LE with BOM, CRLF, version 5.00, reg-file value syntax', () => {
    const bytes = readFileSync(regFile);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    const text = bytes.subarray(2).toString('utf16le');
    const lines = text.split('\r\n');
    expect(text.includes('\n') && !/[^\r]\n/.test(text)).toBe(true);
    expect(lines[0]).toBe('Windows Registry Editor Version 5.00');
    expect(lines[1]).toBe('');
    expect(lines[2]).toBe('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Types]');
    expect(lines).toContain('@="default \\"value\\""');
    expect(lines).toContain('"Plain"="C:\\\\Program Files\\\\Contoso\\\\"');
    expect(lines).toContain('"Quote \\"and\\" \\\\ backslash"="x\\"y\\\\\\"z"');
    expect(lines).toContain('"Empty"=""');
    expect(lines).toContain('"Unicode"="Grüße €"');
    expect(lines).toContain('"Lines"=hex(1):6c,00,69,00,6e,00,65,00,31,00,0d,00,0a,00,6c,00,69,00,6e,00,65,00,\\');
    expect(lines).toContain('"ExpandEmpty"=hex(2):00,00');
    expect(lines).toContain('"MultiGaps"=hex(7):61,00,00,00,00,00,62,00,00,00,00,00');
    expect(lines).toContain('"MultiEmpty"=hex(7):00,00');
    expect(lines).toContain('"DwordZero"=dword:00000000');
    expect(lines).toContain('"DwordTen"=dword:0000000a');
    expect(lines).toContain('"DwordMax"=dword:ffffffff');
    expect(lines).toContain('"QwordZero"=hex(b):00,00,00,00,00,00,00,00');
    expect(lines).toContain('"QwordMax"=hex(b):ff,ff,ff,ff,ff,ff,ff,ff');
    expect(lines).toContain('"BinaryEmpty"=hex:');
    expect(lines).toContain('"Raw"=hex(0):00,ff');
    // Long hex data wraps as regedit does: the first line until its count reaches 80 (the
    // 17-character prefix leaves room for 21 bytes), continuation lines of 25 bytes.
    const start = lines.findIndex((l) => l.startsWith('"BinaryLong"=hex:'));
    const hexBytes = LONG_BINARY.match(/../g)!;
    const chunks = [hexBytes.slice(0, 21)];
    for (let i = 21; i < hexBytes.length; i += 25) chunks.push(hexBytes.slice(i, i + 25));
    const expected = chunks.map((c, i) => (i === 0 ? '"BinaryLong"=hex:' : '  ') + c.join(',') + (i < chunks.length - 1 ? ',\\' : ''));
    expect(chunks.map((c) => c.length)).toEqual([21, 25, 25, 25, 4]);
    expect(lines.slice(start, start + chunks.length)).toEqual(expected);
    for (const l of lines.filter((x) => x.startsWith('  '))) expect(l.length).toBeLessThanOrEqual(80);
    // Keys: the exported key first, then subkeys depth-first, sorted; each section ends with a blank line.
    const sections = lines.filter((l) => l.startsWith('['));
    expect(sections).toEqual([
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Types]',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Types\\Another]',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Types\\Sub]',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Types\\Sub\\Deeper]',
    ]);
    expect(text.endsWith('"Level"=dword:00000003\r\n\r\n')).toBe(true);
  });

  test('the saved state holds the imported values in canonical form', () => {
    expect(stateValue(run.state, KEY, 'QwordMax')).toEqual({ name: 'QwordMax', type: 'QWord', data: '18446744073709551615' });
    expect(stateValue(run.state, KEY, 'MultiEmpty')).toEqual({ name: 'MultiEmpty', type: 'MultiString', data: [] });
    expect(stateValue(run.state, `${KEY}\\Sub\\Deeper`, 'Level')!.data).toBe(3);
  });

  test('exact export of one small key (golden text)', async () => {
    const file = ws.path('small.reg');
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Export-RdsRegistryKey -Path 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters' -View 'Default' -File '${file}'
Complete-RdsPlatform
`,
      'small.json',
      'small.ps1',
    );
    expect(r.stderr).toBe('');
    const text = readFileSync(file).subarray(2).toString('utf16le');
    expect(text).toBe(
      [
        'Windows Registry Editor Version 5.00',
        '',
        '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters]',
        '"ServiceDll"=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,\\',
        '  74,00,25,00,5c,00,53,00,79,00,73,00,74,00,65,00,6d,00,33,00,32,00,5c,00,74,\\',
        '  00,65,00,72,00,6d,00,73,00,72,00,76,00,2e,00,64,00,6c,00,6c,00,00,00',
        '',
        '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\LicenseServers]',
        '"SpecifiedLicenseServers"=hex(7):00,00',
        '',
        '',
      ].join('\r\n'),
    );
  });
});

describe('simulated host: reg.exe failures, 32-bit view, hand-written files', () => {
  test('export of a missing key, import of a missing/invalid file, import into the locked GracePeriod key', async () => {
    const grace = ws.path('grace.reg');
    const bad = ws.path('bad.reg');
    writeFileSync(bad, 'REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n');
    const syntax = ws.path('syntax.reg');
    writeFileSync(syntax, 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n"a"=dword:zz\r\n');
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Invoke-TestStep -Label 'exportMissing' { Export-RdsRegistryKey -Path 'HKLM\\SOFTWARE\\Nope' -View 'Default' -File '${ws.path('nope.reg')}' }
Invoke-TestStep -Label 'exportGrace' { Export-RdsRegistryKey -Path '${GRACE}' -View 'Default' -File '${grace}' }
Invoke-TestStep -Label 'importLocked' { Import-RdsRegistryFile -File '${grace}' -View 'Default' }
Invoke-TestStep -Label 'importMissing' { Import-RdsRegistryFile -File '${ws.path('missing.reg')}' -View 'Default' }
Invoke-TestStep -Label 'importRegedit4' { Import-RdsRegistryFile -File '${bad}' -View 'Default' }
Invoke-TestStep -Label 'importSyntax' { Import-RdsRegistryFile -File '${syntax}' -View 'Default' }
Invoke-TestStep -Label 'syntaxChangedNothing' { Test-RdsRegistryKey -Path 'HKLM\\SOFTWARE\\X' -View 'Default' }
Complete-RdsPlatform
`,
      'failures.json',
      'failures.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.exportMissing).toEqual({
      ok: false,
      error: 'reg.exe export failed with exit code 1: ERROR: The system was unable to find the specified registry key or value. (HKLM\\SOFTWARE\\Nope)',
    });
    // Administrators can read (and so export) the locked key, but not import into it.
    expect(r.results.exportGrace.ok).toBe(true);
    expect(r.results.importLocked).toEqual({ ok: false, error: `reg.exe import failed with exit code 1: ERROR: Error accessing the registry. (${grace})` });
    expect(r.results.importMissing.error).toMatch(/^reg\.exe import failed with exit code 1: ERROR: Error opening the file\./);
    expect(r.results.importRegedit4.error).toMatch(/^reg\.exe import failed with exit code 1: ERROR: The specified file is not a registry script\./);
    expect(r.results.importSyntax).toEqual({ ok: false, error: `reg.exe import failed with exit code 1: ERROR: Invalid syntax in line 4. (${syntax})` });
    expect(r.results.syntaxChangedNothing).toEqual({ ok: true, value: false });
    expect(stateValue(r.state, GRACE, TIMEBOMB)).toBeDefined();
    const exported = readFileSync(grace).subarray(2).toString('utf16le');
    expect(exported).toContain(`"${TIMEBOMB}"=hex:`);
  });

  test('after the ownership dance the exported timebomb imports back (the old expiry returns)', async () => {
    const grace = ws.path('grace2.reg');
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
$before = Get-RdsRegistryValue -Path '${GRACE}' -Name '${TIMEBOMB}' -View 'Default'
Export-RdsRegistryKey -Path '${GRACE}' -View 'Default' -File '${grace}'
Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege'
Set-RdsRegistryOwner -Path '${GRACE}' -View 'Default' -Sid 'S-1-5-32-544'
Add-RdsRegistryAccessRule -Path '${GRACE}' -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl'
Remove-RdsRegistryValue -Path '${GRACE}' -Name '${TIMEBOMB}' -View 'Default'
Write-TestResult -Label 'removed' -Value (Get-RdsRegistryValue -Path '${GRACE}' -Name '${TIMEBOMB}' -View 'Default')
Import-RdsRegistryFile -File '${grace}' -View 'Default'
Write-TestResult -Label 'same' -Value ((ConvertTo-RdsJson -InputObject (Get-RdsRegistryValue -Path '${GRACE}' -Name '${TIMEBOMB}' -View 'Default')) -ceq (ConvertTo-RdsJson -InputObject $before))
Complete-RdsPlatform
`,
      'reimport.json',
      'reimport.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.removed).toBeNull();
    expect(r.results.same).toBe(true);
  });

  test('32-bit view: HKLM\\SOFTWARE\\X is HKLM\\SOFTWARE\\WOW6432Node\\X; exports name the view\'s paths', async () => {
    const file = ws.path('wow.reg');
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Set-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store\\LICENSE000' -Name 'ClientLicense' -Type 'Binary' -Data 'abcd' -View '32'
Write-TestResult -Label 'in64' -Value (Get-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\MSLicensing\\Store\\LICENSE000' -Name 'ClientLicense' -View '64')
Write-TestResult -Label 'native' -Value (Get-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store\\LICENSE000' -Name 'ClientLicense' -View 'Default').Data.Substring(0, 4)
Write-TestResult -Label 'software32' -Value @(Get-RdsRegistrySubkeyName -Path 'HKLM\\SOFTWARE' -View '32')
Write-TestResult -Label 'system32' -Value (Test-RdsRegistryKey -Path '${GRACE}' -View '32')
Export-RdsRegistryKey -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing' -View '32' -File '${file}'
Remove-RdsRegistryKey -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing' -View '32' -Recurse
Write-TestResult -Label 'native64Kept' -Value (Test-RdsRegistryKey -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing' -View '64')
Import-RdsRegistryFile -File '${file}' -View '32'
Write-TestResult -Label 'back' -Value (Get-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store\\LICENSE000' -Name 'ClientLicense' -View '32')
Complete-RdsPlatform
`,
      'wow.json',
      'wow.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.in64).toEqual({ Name: 'ClientLicense', Type: 'Binary', Data: 'abcd' });
    expect(r.results.native).toBe('3082');
    expect(r.results.software32).toEqual(['Microsoft']);
    expect(r.results.system32).toBe(true);
    expect(r.results.native64Kept).toBe(true);
    expect(r.results.back).toEqual({ Name: 'ClientLicense', Type: 'Binary', Data: 'abcd' });
    const text = readFileSync(file).subarray(2).toString('utf16le');
    expect(text).toContain('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSLicensing\\Store\\LICENSE000]\r\n"ClientLicense"=hex:ab,cd\r\n');
    expect(text).not.toContain('WOW6432Node');
    expect(stateKey(r.state, 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\MSLicensing\\Store\\LICENSE000')).toBeDefined();
  });

  test('a hand-written (UTF-8, LF, deletions, hex(4)) .reg file imports', async () => {
    const file = ws.path('hand.reg');
    writeFileSync(
      file,
      [
        'Windows Registry Editor Version 5.00',
        '',
        '; a comment',
        '[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSLicensing\\Store]',
        '',
        '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSLicensing\\HardwareID]',
        '"ClientHWID"=-',
        '"Little"=hex(4):0a,00,00,00',
        '"Wrapped"=hex:01,02,\\',
        '   03',
        '',
      ].join('\n'),
    );
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Import-RdsRegistryFile -File '${file}' -View 'Default'
Write-TestResult -Label 'store' -Value (Test-RdsRegistryKey -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store' -View 'Default')
Write-TestResult -Label 'names' -Value @(Get-RdsRegistryValueName -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\HardwareID' -View 'Default')
Write-TestResult -Label 'little' -Value (Get-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\HardwareID' -Name 'Little' -View 'Default')
Write-TestResult -Label 'wrapped' -Value (Get-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\HardwareID' -Name 'Wrapped' -View 'Default').Data
Complete-RdsPlatform
`,
      'hand.json',
      'hand.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.store).toBe(false);
    expect(r.results.names).toEqual(['Little', 'Wrapped']);
    expect(r.results.little).toEqual({ Name: 'Little', Type: 'DWord', Data: 10 });
    expect(r.results.wrapped).toBe('010203');
  });
});
