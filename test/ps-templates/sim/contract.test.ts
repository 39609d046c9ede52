/**
 * Static contract of platform/sim, read with PowerShell's own parser: exactly the platform
 * API of ps-templates/README.md (same parameters as platform/windows), internal helpers
 * named *-RdsSim*, approved verbs, comment-based help, no aliases, only the cmdlets of the
 * README's "Cmdlet surface".
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, afterAll, beforeAll, expect, test } from '@jest/globals';
import { SimWorkspace, repoRoot, simDir } from './harness.js';

const API = [
  'Initialize-RdsPlatform', 'Complete-RdsPlatform', 'Get-RdsHostIdentity', 'Lock-RdsHost', 'Unlock-RdsHost',
  'Test-RdsRegistryKey', 'Get-RdsRegistryValue', 'Get-RdsRegistryValueName', 'Get-RdsRegistrySubkeyName',
  'Set-RdsRegistryValue', 'Remove-RdsRegistryValue', 'New-RdsRegistryKey', 'Remove-RdsRegistryKey',
  'Export-RdsRegistryKey', 'Import-RdsRegistryFile', 'Get-RdsRegistrySddl', 'Set-RdsRegistrySddl',
  'Set-RdsRegistryOwner', 'Add-RdsRegistryAccessRule', 'Enable-RdsPrivilege', 'Disable-RdsPrivilege',
  'Get-RdsService', 'Set-RdsServiceStartMode', 'Start-RdsService', 'Stop-RdsService', 'Restart-RdsService',
  'Get-RdsTerminalServiceSetting', 'Get-RdsGracePeriodDays', 'Set-RdsSpecifiedLicenseServer', 'Set-RdsLicensingType',
  'Restart-RdsHost',
];

const ALLOWED_CMDLETS = [
  'Write-Host', 'Write-Output', 'Write-Warning', 'Write-Verbose', 'Write-Error', 'ConvertFrom-Json', 'Get-Date',
  'Join-Path', 'Split-Path', 'Test-Path', 'ForEach-Object', 'Where-Object', 'Out-Null', 'Get-Command',
  // defined by runtime/Json.ps1
  'ConvertTo-RdsJson',
];

let ws: SimWorkspace;
beforeAll(() => {
  ws = new SimWorkspace();
});
afterAll(() => ws.dispose());

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

describe('platform/sim: static contract', () => {
  test('API, parameters, helpers, verbs, help, commands', async () => {
    const simFiles = readdirSync(simDir).filter((f) => f.endsWith('.ps1')).map((f) => join(simDir, f));
    const winDir = join(repoRoot, 'ps-templates', 'platform', 'windows');
    const winFiles = readdirSync(winDir).filter((f) => f.endsWith('.ps1')).map((f) => join(winDir, f));
    const r = await ws.run(
      `
function Get-TestFunctionTable {
    param([string[]] $Files)
    $table = @{}
    $problems = [System.Collections.Generic.List[string]]::new()
    $commands = [System.Collections.Generic.List[string]]::new()
    foreach ($file in $Files) {
        $tokens = $null
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref]$tokens, [ref]$errors)
        foreach ($e in $errors) { $problems.Add($file + ': parse error: ' + $e.Message) }
        foreach ($f in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true)) {
            $parameters = [System.Collections.Generic.List[string]]::new()
            if ($null -ne $f.Body.ParamBlock) { foreach ($p in $f.Body.ParamBlock.Parameters) { $parameters.Add($p.Name.VariablePath.UserPath) } }
            $help = $f.GetHelpContent()
            $table[$f.Name] = @{ parameters = $parameters.ToArray(); synopsis = $(if ($null -eq $help) { '' } else { [string]$help.Synopsis }) }
        }
        foreach ($c in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $name = $c.GetCommandName()
            if ($null -ne $name) { $commands.Add($name) }
        }
    }
    return @{ functions = $table; problems = $problems.ToArray(); commands = $commands.ToArray() }
}
$verbs = [System.Collections.Generic.List[string]]::new()
foreach ($type in @([System.Management.Automation.VerbsCommon], [System.Management.Automation.VerbsCommunications], [System.Management.Automation.VerbsData], [System.Management.Automation.VerbsDiagnostic], [System.Management.Automation.VerbsLifecycle], [System.Management.Automation.VerbsOther], [System.Management.Automation.VerbsSecurity])) {
    foreach ($field in $type.GetFields()) { $verbs.Add([string]$field.GetValue($null)) }
}
Write-TestResult -Label 'sim' -Value (Get-TestFunctionTable -Files @(${simFiles.map(q).join(', ')}))
Write-TestResult -Label 'windows' -Value (Get-TestFunctionTable -Files @(${winFiles.map(q).join(', ')}))
Write-TestResult -Label 'verbs' -Value $verbs.ToArray()
`,
      'contract.json',
      'contract.ps1',
    );
    expect(r.stderr).toBe('');
    const sim = r.results.sim;
    const win = r.results.windows;
    const verbs: string[] = r.results.verbs;
    expect(sim.problems).toEqual([]);
    const names = Object.keys(sim.functions);

    // Exactly the platform API in public names; everything else is an *-RdsSim* helper.
    expect(names.filter((n) => !/-RdsSim/.test(n)).sort()).toEqual([...API].sort());

    // Same parameters as the Windows platform (names and order), for every API function it has.
    for (const fn of API) {
      if (!win.functions[fn]) continue;
      expect([fn, sim.functions[fn].parameters]).toEqual([fn, win.functions[fn].parameters]);
    }

    // Approved verbs and comment-based help everywhere.
    for (const n of names) {
      expect([n, verbs.includes(n.split('-')[0]!)]).toEqual([n, true]);
      expect([n, sim.functions[n].synopsis.trim().length > 0]).toEqual([n, true]);
    }

    // Commands: our own functions or the README's cmdlet surface; no aliases.
    const unknown = [...new Set<string>(sim.commands)].filter((c) => !names.includes(c) && !ALLOWED_CMDLETS.includes(c));
    expect(unknown).toEqual([]);
  });
});
