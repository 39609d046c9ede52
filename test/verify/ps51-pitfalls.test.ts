import { describe, expect, test } from '@jest/globals';
import { verifyScript } from '../../src/verify/verify-script.js';
import { buildScript, lineOf, PROLOGUE } from '../support/scripts.js';

const off = { powershell: 'off' } as const;

// PROLOGUE sets $ErrorActionPreference = 'Stop' and Set-StrictMode, as rendered scripts do.
async function findingsFor(lines: string[]) {
  const script = buildScript({ prologue: [...PROLOGUE, ...lines, ''] });
  return { script, findings: (await verifyScript(script, off)).findings };
}

type Case = [name: string, code: string, at: string, severity: 'error' | 'warning', findingCode: 'ps51-pitfall' | 'ps7-only', message: string];

/** One finding, on the line of `at`, whose column points at `at`, with exactly this message. */
async function expectOne([, code, at, severity, findingCode, message]: Case) {
  const { script, findings } = await findingsFor([code]);
  expect(findings).toEqual([{ severity, code: findingCode, line: lineOf(script, code.split('\r\n').find((l) => l.includes(at)) ?? code), column: expect.any(Number), message }]);
  const line = script.split(/\r\n/)[findings[0]!.line - 1]!;
  expect(line.slice(findings[0]!.column - 1).startsWith(at)).toBe(true);
}

async function expectNone(code: string) {
  const { findings } = await findingsFor([code]);
  expect(findings).toEqual([]);
}

const JSON_ARRAY = 'Windows PowerShell 5.1 writes a JSON array to the pipeline as one object, PowerShell 7 writes its elements; write (ConvertFrom-Json -InputObject $text), inside @() where the JSON may be an array';

describe('ConvertFrom-Json: 5.1 writes an array as one object', () => {
  test.each<Case>([
    ['input from the pipeline', '$targets = $text | ConvertFrom-Json', 'ConvertFrom-Json', 'warning', 'ps51-pitfall', `ConvertFrom-Json in a pipeline: ${JSON_ARRAY}`],
    ['output into the pipeline', 'ConvertFrom-Json -InputObject $text | ForEach-Object { [int]$_.port }', 'ConvertFrom-Json', 'warning', 'ps51-pitfall', `ConvertFrom-Json in a pipeline: ${JSON_ARRAY}`],
    [
      'alone in @()',
      '$targets = @(ConvertFrom-Json -InputObject $text)',
      'ConvertFrom-Json',
      'warning',
      'ps51-pitfall',
      '@(ConvertFrom-Json …): Windows PowerShell 5.1 writes a JSON array as one object, so @() holds one element, the whole array (PowerShell 7: its elements); write @((ConvertFrom-Json -InputObject $text))',
    ],
  ])('%s', (...c) => expectOne(c));

  test.each([
    ['in parentheses', '$target = (ConvertFrom-Json -InputObject $text)'],
    ['in parentheses inside @()', '$targets = @((ConvertFrom-Json -InputObject $text))'],
    ['assigned directly', '$report = ConvertFrom-Json -InputObject $text'],
    ['the text in a string and a comment', "$s = '$text | ConvertFrom-Json' # @(ConvertFrom-Json -InputObject $text)"],
  ])('not: %s', (_name, code) => expectNone(code));
});

describe('ConvertTo-Json without -Depth', () => {
  test.each<Case>([
    [
      'piped',
      '$json = $event | ConvertTo-Json -Compress',
      'ConvertTo-Json',
      'warning',
      'ps51-pitfall',
      'ConvertTo-Json without -Depth stops at depth 2: Windows PowerShell 5.1 writes deeper values as their type name without a warning, and dates as "\\/Date(…)\\/"; pass -Depth',
    ],
  ])('%s', (...c) => expectOne(c));

  test.each([
    ['-Depth', '$json = ConvertTo-Json -InputObject $event -Depth 10'],
    ['-Dep:', '$json = ConvertTo-Json -InputObject $event -Dep:10'],
    ['splatted', '$json = ConvertTo-Json @options'],
  ])('not: %s', (_name, code) => expectNone(code));
});

describe('file encodings: 5.1 defaults to UTF-16LE, ANSI or ASCII', () => {
  const tail = 'in Windows PowerShell 5.1, UTF-8 without BOM in PowerShell 7; pass -Encoding';
  test.each<Case>([
    ['Out-File', "$text | Out-File -FilePath 'C:\\x.txt'", 'Out-File', 'warning', 'ps51-pitfall', `Out-File without -Encoding writes UTF-16LE ${tail}`],
    ['Set-Content', "Set-Content -Path 'C:\\x.txt' -Value $text", 'Set-Content', 'warning', 'ps51-pitfall', `Set-Content without -Encoding writes the ANSI code page ${tail}`],
    ['Add-Content', "Add-Content -Path 'C:\\x.txt' -Value $text", 'Add-Content', 'warning', 'ps51-pitfall', `Add-Content without -Encoding writes the ANSI code page ${tail}`],
    ['Export-Csv', "$rows | Export-Csv -Path 'C:\\x.csv' -NoTypeInformation", 'Export-Csv', 'warning', 'ps51-pitfall', `Export-Csv without -Encoding writes ASCII (every other character becomes ?) ${tail}`],
    ['Get-Content', "$text = Get-Content -Path 'C:\\x.txt' -Raw", 'Get-Content', 'warning', 'ps51-pitfall', `Get-Content without -Encoding reads a file without a BOM as the ANSI code page ${tail}`],
    ['-Encoding UTF8 on a writer', "Set-Content -Path 'C:\\x.txt' -Value $text -Encoding UTF8", 'UTF8', 'warning', 'ps51-pitfall', 'Set-Content -Encoding UTF8 writes a BOM in Windows PowerShell 5.1, none in PowerShell 7'],
    ['-Encoding utf8NoBOM', "Out-File -FilePath 'C:\\x.txt' -InputObject $text -Encoding:utf8NoBOM", 'utf8NoBOM', 'warning', 'ps7-only', 'Out-File -Encoding utf8NoBOM exists only in PowerShell 6.0 and later; Windows PowerShell 5.1 refuses the value'],
    ['-Encoding ansi', "Set-Content -Path 'C:\\x.txt' -Value $text -Encoding 'ansi'", "'ansi'", 'warning', 'ps7-only', "Set-Content -Encoding 'ansi' exists only in PowerShell 7.4 and later; Windows PowerShell 5.1 refuses the value"],
    [
      'redirection to a file',
      "Get-Date >> 'C:\\log.txt'",
      '>>',
      'warning',
      'ps51-pitfall',
      "the redirection '>>' to a file writes UTF-16LE in Windows PowerShell 5.1 (it is Out-File), UTF-8 without BOM in PowerShell 7; use Out-File -Encoding or Set-Content -Encoding",
    ],
  ])('%s', (...c) => expectOne(c));

  test.each([
    ['-Encoding Unicode', "Set-Content -Path 'C:\\x.txt' -Value $text -Encoding Unicode"],
    ['-Encoding UTF8 when reading', "$text = Get-Content -Path 'C:\\x.txt' -Encoding UTF8"],
    ['splatted', 'Out-File @output'],
    ['redirection to $null', 'Get-Date > $null'],
    ['merging redirection', 'Get-Date 2>&1'],
    ['[System.IO.File] (UTF-8 in both)', "[System.IO.File]::WriteAllText('C:\\x.txt', $text)"],
  ])('not: %s', (_name, code) => expectNone(code));
});

describe('.NET behaviours that differ between .NET Framework and .NET', () => {
  const ansi = 'is the ANSI code page in Windows PowerShell 5.1 (.NET Framework), UTF-8 in PowerShell 7; name the encoding';
  const culture = 'compares by culture, and ICU gives control characters no weight: "Hel`0lo".IndexOf("`0") is 3 in Windows PowerShell 5.1 (NLS), 0 in PowerShell 7 (ICU); pass [System.StringComparison]::Ordinal';
  test.each<Case>([
    ['Encoding::Default', '$bytes = [System.Text.Encoding]::Default.GetBytes($text)', 'Default', 'warning', 'ps51-pitfall', `[System.Text.Encoding]::Default ${ansi}`],
    ['Encoding::GetEncoding(0)', '$ansi = [Text.Encoding]::GetEncoding(0)', 'GetEncoding', 'warning', 'ps51-pitfall', `[Text.Encoding]::GetEncoding ${ansi}`],
    [
      'Split with several characters',
      "$parts = $line.Split(', ')",
      'Split',
      'warning',
      'ps51-pitfall',
      ".Split(', ') with several characters: Windows PowerShell 5.1 splits at each of them (String.Split(char[])), PowerShell 7 at the whole string; use the -split operator",
    ],
    [
      'Split at CRLF',
      '$lines = $text.Split("`r`n")',
      'Split',
      'warning',
      'ps51-pitfall',
      '.Split("`r`n") with several characters: Windows PowerShell 5.1 splits at each of them (String.Split(char[])), PowerShell 7 at the whole string; use the -split operator',
    ],
    ['IndexOf a NUL', '$end = $text.IndexOf("`0", $offset)', 'IndexOf', 'warning', 'ps51-pitfall', `.IndexOf("\`0") ${culture}`],
    ['StartsWith another control character', '$bell = $text.StartsWith("`a")', 'StartsWith', 'warning', 'ps51-pitfall', `.StartsWith("\`a") ${culture}`],
    ['$PSVersionTable.OS', '$os = $PSVersionTable.OS', 'OS', 'warning', 'ps51-pitfall', '$PSVersionTable.OS is $null in Windows PowerShell 5.1 (the key is PowerShell 6.0 and later)'],
  ])('%s', (...c) => expectOne(c));

  test.each([
    ['Encoding::UTF8', '$bytes = [System.Text.Encoding]::UTF8.GetBytes($text)'],
    ['GetEncoding(1252)', '$latin = [System.Text.Encoding]::GetEncoding(1252)'],
    ['Split at one character', "$parts = $line.Split(',')"],
    ['Split at a [char]', '$parts = $line.Split([char]0)'],
    ['-split', "$parts = $line -split ', '"],
    ['IndexOf, ordinal', '$end = $text.IndexOf("`0", $offset, [System.StringComparison]::Ordinal)'],
    ['IndexOf a newline (the same since .NET 6)', '$end = $text.IndexOf("`n", $offset)'],
    ['IndexOf a [char]', '$end = $text.IndexOf([char]10)'],
    ['IndexOf printable text', "$end = $text.IndexOf('\\')"],
    ['$PSVersionTable.PSVersion', '$major = $PSVersionTable.PSVersion.Major'],
    ['$PSVersionTable.OS behind a version test', 'if ($PSVersionTable.PSVersion.Major -ge 6) { $os = $PSVersionTable.OS }'],
  ])('not: %s', (_name, code) => expectNone(code));
});

describe('.NET APIs that .NET Framework lacks', () => {
  const member = (written: string, since: string) => `${written} is ${since} and later: Windows PowerShell 5.1 (.NET Framework) has no such member`;
  const type = (written: string, since: string) => `${written} is ${since} and later: Windows PowerShell 5.1 (.NET Framework) cannot find the type`;
  test.each<Case>([
    ['Path::GetRelativePath', '$relative = [System.IO.Path]::GetRelativePath($root, $path)', 'GetRelativePath', 'error', 'ps7-only', member('[System.IO.Path]::GetRelativePath', '.NET Core 2.0')],
    ['Path::Join, short type name', '$path = [IO.Path]::Join($root, $name)', 'Join', 'error', 'ps7-only', member('[IO.Path]::Join', '.NET Core 2.1')],
    ['Convert::ToHexString', '$hex = [System.Convert]::ToHexString($bytes)', 'ToHexString', 'error', 'ps7-only', member('[System.Convert]::ToHexString', '.NET 5')],
    ['Array::Fill', '[array]::Fill($buffer, 0)', 'Fill', 'error', 'ps7-only', member('[array]::Fill', '.NET Core 2.0')],
    ['OperatingSystem::IsWindows', 'if ([System.OperatingSystem]::IsWindows()) { 1 }', 'IsWindows', 'error', 'ps7-only', member('[System.OperatingSystem]::IsWindows', '.NET 5')],
    ['Enumerable::TakeLast', '$last = [System.Linq.Enumerable]::TakeLast($items, 2)', 'TakeLast', 'error', 'ps7-only', member('[System.Linq.Enumerable]::TakeLast', '.NET Core 2.0')],
    ['HashCode', '$hash = [System.HashCode]::Combine($a, $b)', '[System.HashCode]', 'error', 'ps7-only', type('[System.HashCode]', '.NET Core 2.1')],
    ['ReadOnlySpan', '$span = [System.ReadOnlySpan[byte]]$bytes', '[System.ReadOnlySpan[byte]]', 'error', 'ps7-only', type('[System.ReadOnlySpan[byte]]', '.NET Core 2.1')],
    ['FileSystemAclExtensions unguarded', '$acl = [System.IO.FileSystemAclExtensions]::GetAccessControl($folder)', '[System.IO.FileSystemAclExtensions]', 'error', 'ps7-only', type('[System.IO.FileSystemAclExtensions]', '.NET Core 2.0')],
    ['System.Text.Json', '$json = [System.Text.Json.JsonSerializer]::Serialize($value)', '[System.Text.Json.JsonSerializer]', 'error', 'ps7-only', type('[System.Text.Json.JsonSerializer]', '.NET Core 3.0')],
    [
      'RuntimeInformation (.NET Framework 4.7.1+)',
      '$os = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription',
      '[System.Runtime.InteropServices.RuntimeInformation]',
      'warning',
      'ps51-pitfall',
      '[System.Runtime.InteropServices.RuntimeInformation] exists in .NET Framework 4.7.1 and later only: Windows PowerShell 5.1 on an older .NET Framework 4.x (Windows Server 2016 ships 4.6.2) cannot find the type',
    ],
    [
      'HashSet with a capacity (.NET Framework 4.7.2+)',
      '$set = [System.Collections.Generic.HashSet[string]]::new(64)',
      'new',
      'warning',
      'ps51-pitfall',
      '[System.Collections.Generic.HashSet[string]]::new(capacity) exists in .NET Framework 4.7.2 and later only: Windows PowerShell 5.1 on an older .NET Framework 4.x has no such constructor',
    ],
    [
      'Enumerable::ToHashSet (.NET Framework 4.7.2+)',
      '$set = [Linq.Enumerable]::ToHashSet($names)',
      'ToHashSet',
      'warning',
      'ps51-pitfall',
      '[Linq.Enumerable]::ToHashSet exists in .NET Framework 4.7.2 and later only: Windows PowerShell 5.1 on an older .NET Framework 4.x has no such member',
    ],
    [
      'Dictionary.TryAdd',
      "[void]$seen.TryAdd($name, $true)",
      'TryAdd',
      'warning',
      'ps7-only',
      '.TryAdd(): Dictionary.TryAdd is .NET Core 2.0 and later (ConcurrentDictionary.TryAdd exists in both); Windows PowerShell 5.1 (.NET Framework) has no such method',
    ],
    [
      'String.Contains with a StringComparison',
      "$has = $name.Contains('rtm', [System.StringComparison]::OrdinalIgnoreCase)",
      'Contains',
      'warning',
      'ps7-only',
      '.Contains() with a StringComparison is .NET Core 2.1 and later: Windows PowerShell 5.1 (.NET Framework) has no such overload',
    ],
    [
      'String.Replace with a StringComparison',
      "$name = $name.Replace('a', 'b', [StringComparison]::Ordinal)",
      'Replace',
      'warning',
      'ps7-only',
      '.Replace() with a StringComparison is .NET Core 2.0 and later: Windows PowerShell 5.1 (.NET Framework) has no such overload',
    ],
    ['the escape `e', '$escape = "`e[0m"', '`e', 'warning', 'ps7-only', 'the escape `e is PowerShell 6.0 and later: Windows PowerShell 5.1 reads it as the letter e; write [char]27'],
    [
      'the escape `u{…}',
      '$quote = "it`u{2019}s"',
      '`u{2019}',
      'warning',
      'ps7-only',
      'the escape `u{2019} is PowerShell 6.0 and later: Windows PowerShell 5.1 reads it as the text u{2019}; write [char]::ConvertFromUtf32(0x2019)',
    ],
  ])('%s', (...c) => expectOne(c));

  test.each([
    ['Path::Combine', '$path = [System.IO.Path]::Combine($root, $name)'],
    ['Convert::ToBase64String', '$text = [System.Convert]::ToBase64String($bytes)'],
    ['HashSet with a comparer', '$set = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)'],
    ['Contains and Replace without a StringComparison', "$x = $name.Contains('a') -or $name.Replace('a', 'b')"],
    ['behind a version test', 'if ($PSVersionTable.PSVersion.Major -ge 7) { $relative = [System.IO.Path]::GetRelativePath($root, $path) }'],
    ['in the else branch of an edition test', "if ($PSVersionTable.PSEdition -eq 'Desktop') { $acl = [System.IO.Directory]::GetAccessControl($path) } else { $acl = [System.IO.FileSystemAclExtensions]::GetAccessControl([System.IO.DirectoryInfo]::new($path)) }"],
    ['an instance method behind a version test', "if ($PSEdition -eq 'Core') { [void]$seen.TryAdd($name, $true) }"],
    ['a verbatim `u{…}', "$text = 'it`u{2019}s'"],
    ['5.1 escapes', '$text = "`0`a`b`f`n`r`t`v``e"'],
    ['an escaped backtick before u{…}', '$text = "it``u{2019}s"'],
  ])('not: %s', (_name, code) => expectNone(code));
});

describe('7-only automatic variables behind a version test', () => {
  test.each([
    ['if on the version', "if ($PSVersionTable.PSVersion.Major -ge 7) { $PSStyle.OutputRendering = 'PlainText' }"],
    ['-and after the version test', '$onWindows = $PSVersionTable.PSVersion.Major -ge 6 -and $IsWindows'],
    ['the else branch of an edition test', "if ($PSEdition -eq 'Desktop') { $onWindows = $true } else { $onWindows = $IsWindows }"],
    ['a test whether the variable exists', "if (Test-Path -Path 'variable:IsCoreCLR') { $core = $IsCoreCLR }"],
  ])('not: %s', (_name, code) => expectNone(code));

  test.each<Case>([
    ['the test after the variable', 'if ($IsWindows -and $PSVersionTable.PSVersion.Major -ge 6) { 1 }', '$IsWindows', 'warning', 'ps7-only', '$IsWindows does not exist in Windows PowerShell 5.1 (under Set-StrictMode it is an error to read it)'],
    ['the test in a string', "if ('$PSVersionTable') { $PSStyle.Reset }", '$PSStyle', 'warning', 'ps7-only', '$PSStyle does not exist in Windows PowerShell 5.1 (under Set-StrictMode it is an error to read it)'],
  ])('%s', (...c) => expectOne(c));
});

describe('native programs', () => {
  const stderr = "Windows PowerShell 5.1 turns each line a native program writes to stderr into an error record (with 2>&1, in remoting and in jobs), and under $ErrorActionPreference = 'Stop' the first one ends the script; set $ErrorActionPreference = 'Continue' in the calling function and check $LASTEXITCODE";
  const legacy = (problem: string) => `Windows PowerShell 5.1 passes arguments to native programs the legacy way and ${problem} (PowerShell 7.3 and later pass it intact)`;
  const relaxed = (call: string) => `function Invoke-RdsTool {\r\n    $ErrorActionPreference = 'Continue'\r\n    ${call}\r\n}`;
  test.each<Case>([
    ['under Stop', "reg.exe query 'HKLM\\SOFTWARE'", 'reg.exe', 'warning', 'ps51-pitfall', `reg.exe: ${stderr}`],
    ['without its extension', "reg query 'HKLM\\SOFTWARE'", 'reg', 'warning', 'ps51-pitfall', `reg: ${stderr}`],
    ['a program in a variable with 2>&1', 'function Invoke-RdsTool {\r\n    & $program @arguments 2>&1\r\n}', '& $program', 'warning', 'ps51-pitfall', `& $program: ${stderr}`],
    ['Stop set again after Continue', "$ErrorActionPreference = 'Continue'\r\n$ErrorActionPreference = 'Stop'\r\nsc.exe query 'TermService'", 'sc.exe', 'warning', 'ps51-pitfall', `sc.exe: ${stderr}`],
    ['Continue only inside another script block', "$quiet = { $ErrorActionPreference = 'Continue' }\r\nsc.exe query 'TermService'", 'sc.exe', 'warning', 'ps51-pitfall', `sc.exe: ${stderr}`],
    ['an empty argument', relaxed("reg.exe add 'HKLM\\SOFTWARE\\x' /ve /d '' /f"), "''", 'warning', 'ps51-pitfall', legacy('drops an empty string argument')],
    ['an embedded double quote', relaxed("cmd.exe /c 'echo \"x\"'"), `'echo "x"'`, 'warning', 'ps51-pitfall', legacy('does not escape the double quote in this argument')],
    ['a trailing backslash after a space', relaxed("robocopy.exe 'C:\\Program Files\\x\\' 'D:\\y'"), "'C:\\Program Files\\x\\'", 'warning', 'ps51-pitfall', legacy('quotes this argument, and its trailing backslash escapes the closing quote')],
  ])('%s', (...c) => expectOne(c));

  test.each([
    ['Continue in the calling function', relaxed('$output = & $FilePath @ArgumentList 2>&1')],
    ['Continue in the script', "$ErrorActionPreference = 'Continue'\r\nreg.exe query 'HKLM\\SOFTWARE'"],
    ['Continue as an enum value', "$ErrorActionPreference = [System.Management.Automation.ActionPreference]::SilentlyContinue\r\nreg.exe query 'HKLM\\SOFTWARE'"],
    ['a script block without redirection', '& $block'],
    ['plain arguments', relaxed("reg.exe export 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server' 'C:\\b\\x.reg' /y")],
  ])('not: %s', (_name, code) => expectNone(code));
});

describe('Remove-Item -Recurse', () => {
  test.each<Case>([
    [
      'follows directory links in 5.1',
      'Remove-Item -LiteralPath $folder -Recurse -Force',
      '-Recurse',
      'warning',
      'ps51-pitfall',
      'Remove-Item -Recurse on a directory symbolic link or junction: Windows PowerShell 5.1 deletes the contents of its target, PowerShell 7 only the link',
    ],
  ])('%s', (...c) => expectOne(c));

  test('not without -Recurse', () => expectNone('Remove-Item -LiteralPath $file -Force'));
});
