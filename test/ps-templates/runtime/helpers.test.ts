import { beforeAll, describe, expect, test } from '@jest/globals';
import { runWithRuntime } from './harness.js';

/** [name, PowerShell expression, expected result as text] — run in one engine process. */
const CASES: Array<[string, string, string]> = [
  ['owner alias NS', "(ConvertFrom-RdsSddl -Sddl 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)').Owner", 'S-1-5-20'],
  ['owner as a literal SID', "(ConvertFrom-RdsSddl -Sddl 'O:S-1-5-21-1-2-3-500G:SYD:(A;;KA;;;SY)').Owner", 'S-1-5-21-1-2-3-500'],
  ['owner without group', "(ConvertFrom-RdsSddl -Sddl 'O:BAD:(A;;KA;;;SY)').Owner", 'S-1-5-32-544'],
  ['read-only grant does not satisfy FullControl', "Test-RdsSddlGrant -Sddl 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KR;;;BA)' -Sid 'S-1-5-32-544' -Rights 'FullControl'", 'False'],
  ['KR satisfies ReadKey', "Test-RdsSddlGrant -Sddl 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KR;;;BA)' -Sid 'S-1-5-32-544' -Rights 'ReadKey'", 'True'],
  ['hex mask and literal SID', "Test-RdsSddlGrant -Sddl 'O:BAG:SYD:(A;CI;0xf003f;;;S-1-5-21-1-2-3-500)' -Sid 'S-1-5-21-1-2-3-500' -Rights 'FullControl'", 'True'],
  ['inherited ACE counts', "Test-RdsSddlGrant -Sddl 'O:BAG:SYD:AI(A;CIID;KA;;;BA)' -Sid 'S-1-5-32-544' -Rights 'FullControl'", 'True'],
  ['inherit-only ACE does not count', "Test-RdsSddlGrant -Sddl 'O:BAG:SYD:(A;CIIO;KA;;;BA)' -Sid 'S-1-5-32-544' -Rights 'FullControl'", 'False'],
  ['deny ACE does not grant', "Test-RdsSddlGrant -Sddl 'O:BAG:SYD:(D;CI;KA;;;BA)' -Sid 'S-1-5-32-544' -Rights 'ReadKey'", 'False'],
  ['generic all', "Test-RdsSddlGrant -Sddl 'O:BAG:SYD:(A;CI;GA;;;BA)' -Sid 'S-1-5-32-544' -Rights 'FullControl'", 'True'],
  ['letter rights combine', "Test-RdsSddlGrant -Sddl 'O:BAG:SYD:(A;CI;CCDCLCSWRPSDRCWDWO;;;BA)' -Sid 'S-1-5-32-544' -Rights 'ReadKey, SetValue, TakeOwnership'", 'True'],
  ['unknown right names fail', "try { Test-RdsSddlGrant -Sddl 'O:BAD:' -Sid 'S-1-5-32-544' -Rights 'Everything' } catch { $_.Exception.Message }", "unknown registry right 'Everything'"],
  ['DWord equality across integer types', "Test-RdsRegistryDataEqual -Type 'DWord' -Left ([long]4) -Right ([int]4)", 'True'],
  ['QWord equality on decimal strings', "Test-RdsRegistryDataEqual -Type 'QWord' -Left '18446744073709551615' -Right (ConvertTo-RdsCanonicalData -Type 'QWord' -Data '018446744073709551615')", 'True'],
  ['Binary ignores hex case', "Test-RdsRegistryDataEqual -Type 'Binary' -Left '00aa' -Right '00AA'", 'True'],
  ['String is case-sensitive', "Test-RdsRegistryDataEqual -Type 'String' -Left 'a' -Right 'A'", 'False'],
  ['MultiString is element-wise and ordered', "Test-RdsRegistryDataEqual -Type 'MultiString' -Left @('a','b') -Right @('b','a')", 'False'],
  ['MultiString single element', "Test-RdsRegistryDataEqual -Type 'MultiString' -Left @('a') -Right 'a'", 'True'],
  ['canonical DWord rejects out-of-range data', "try { ConvertTo-RdsCanonicalData -Type 'DWord' -Data 4294967296 } catch { $_.Exception.Message }", 'DWord data 4294967296 is outside 0..4294967295'],
  ['canonical MultiString keeps one element as an array', "ConvertTo-RdsJson -InputObject (ConvertTo-RdsCanonicalData -Type 'MultiString' -Data @('x'))", '["x"]'],
  ['run id format', "(New-RdsRunId) -cmatch '\\A\\d{8}T\\d{9}Z-[0-9a-f]{6}\\z'", 'True'],
  ['exception message without the method-call wrapper', "try { [System.IO.File]::ReadAllBytes('/nonexistent/x') } catch { (Get-RdsExceptionMessage -ErrorRecord $_) -notlike 'Exception calling*' }", 'True'],
];

describe('runtime helpers', () => {
  const outputs = new Map<string, string>();

  beforeAll(async () => {
    const text = CASES.map(([, expr], i) => `Write-Host ('@@case ${i} ' + [string]$(${expr}))`).join('\n');
    const r = await runWithRuntime(text);
    expect(r.stderr).toBe('');
    for (const line of r.stdout.split(/\r?\n/)) {
      const m = /^@@case (\d+) (.*)$/.exec(line);
      if (m) outputs.set(m[1]!, m[2]!);
    }
  });

  describe.each(CASES.map(([name, expr, expected], i) => ({ name, expr, expected, i })))('$name', ({ expected, i }) => {
    test('result', () => {
      expect(outputs.get(String(i))).toBe(expected);
    });
  });
});
