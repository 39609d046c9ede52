import { approvalToken } from '../../src/shared/hash.js';
import { formatHeader } from '../../src/render/header.js';
import { quotePowerShell } from '../../src/render/quote.js';

export const PLAN_SHA256 = '3f2a'.repeat(16);
export const TOOL_VERSION = '0.1.0';

/** The script's start as the renderer writes it: run-time inputs as parameters. */
export const SCRIPT_START = [
  '#Requires -Version 5.1',
  '[CmdletBinding(SupportsShouldProcess)]',
  'param(',
  "    [string]$BackupDirectory = 'C:\\ProgramData\\rdsplan\\backups',",
  "    [string]$RunId = '',",
  "    [string]$SimulationState = '',",
  "    [string]$TargetName = '',",
  "    [string]$ApprovalToken = ''",
  ')',
  '',
];

/** Runtime-style code in the templates' style (5.1-safe), standing in for ps-templates/runtime. */
export const PROLOGUE = [
  ...SCRIPT_START,
  "$ErrorActionPreference = 'Stop'",
  'Set-StrictMode -Version 3.0',
  '',
  'function ConvertTo-RdsJsonString {',
  '    <#',
  '    .SYNOPSIS',
  '    Quotes a string for the results protocol (non-ASCII as \\uXXXX).',
  '    #>',
  '    param([string]$Value)',
  '    $builder = New-Object System.Text.StringBuilder',
  '    foreach ($c in $Value.ToCharArray()) {',
  '        if ([int]$c -gt 126) { [void]$builder.AppendFormat(\'\\u{0:x4}\', [int]$c) }',
  '        else { [void]$builder.Append($c) }',
  '    }',
  "    '\"' + $builder.ToString() + '\"'",
  '}',
  '',
  'function Invoke-RdsPlanStep {',
  '    [CmdletBinding()]',
  '    param(',
  '        [Parameter(Mandatory = $true)][hashtable]$Context,',
  '        [Parameter(Mandatory = $true)][string]$StepId,',
  '        [string]$Action,',
  "        [ValidateSet('always', 'changed')][string]$RunWhen = 'always',",
  '        [string[]]$DependsOn = @(),',
  '        [hashtable]$Parameters = @{}',
  '    )',
  '    switch ($RunWhen) {',
  "        'changed' {",
  '            if (-not $Context.Changed) { return }',
  '        }',
  '        default { }',
  '    }',
  "    Write-Host ('@@rdsplan ' + (ConvertTo-RdsJsonString $StepId))",
  '}',
  '',
];

export const CONTEXT_LINE =
  `$RdsContext = New-RdsPlanContext -PlanName 'reset-grace-period' -PlanSha256 '${PLAN_SHA256}' -ToolVersion '${TOOL_VERSION}' -OnError 'rollback' -Reboot 'never' -BackupDirectory $BackupDirectory -RunId $RunId -PlatformOption $SimulationState -TargetName $TargetName -ApprovalToken $ApprovalToken -Cmdlet $PSCmdlet`;

export const BACKUP_DIRECTORY = 'C:\\ProgramData\\rdsplan\\backups';

export const GRACE_PATH = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';

export const STEPS = [
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace-export' -Action 'registry.export' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = ${quotePowerShell(GRACE_PATH)}; View = 'Default' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace-delete' -Action 'registry.deleteValue' -RunWhen 'always' -DependsOn @('grace-export') -Parameters @{ Path = ${quotePowerShell(GRACE_PATH)}; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $false; View = 'Default' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'set-mode' -Action 'registry.setValue' -RunWhen 'always' -DependsOn @('grace-export', 'grace-delete') -Parameters @{ Path = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services'; Name = 'LicensingMode'; Type = 'DWord'; Data = 4; View = '64' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'restart' -Action 'service.restart' -RunWhen 'changed' -DependsOn @('set-mode') -Parameters @{ Name = 'TermService'; Force = $true }`,
];

export const EPILOGUE = 'Complete-RdsPlan -Context $RdsContext';

export interface BuildOptions {
  prologue?: string[];
  steps?: string[];
  eol?: string;
  bom?: boolean;
}

export function buildBody(options: BuildOptions = {}): string {
  const eol = options.eol ?? '\r\n';
  const lines = [...(options.prologue ?? PROLOGUE), CONTEXT_LINE, ...(options.steps ?? STEPS), EPILOGUE];
  return lines.map((line) => line + eol).join('');
}

/** A script as the renderer writes it: BOM, header with a matching approval token, body. */
export function buildScript(options: BuildOptions = {}): string {
  return withHeader(buildBody(options), options);
}

export function withHeader(body: string, options: BuildOptions = {}): string {
  const token = approvalToken(PLAN_SHA256, TOOL_VERSION, body);
  const header = formatHeader({ toolVersion: TOOL_VERSION, planName: 'reset-grace-period', planSha256: PLAN_SHA256, approvalToken: token }, options.eol ?? '\r\n');
  return `${options.bom === false ? '' : '\uFEFF'}${header}${body}`;
}

/** Number of header lines: findings in the body sit this many lines further down. */
export const HEADER_LINES = 6;

/** 1-based line of the first line of `needle` in `text`. */
export function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`not in text: ${needle}`);
  return text.slice(0, index).split(/\r\n|\r|\n/).length;
}
