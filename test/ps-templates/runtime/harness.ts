/**
 * Builds scripts the way the renderer assembles them (runtime/*.ps1, a platform, actions/*.ps1,
 * steps), with the in-memory fake platform of fake-platform.ps1 in place of Windows, runs them
 * in a real PowerShell engine and parses the results protocol.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { approvalToken } from '../../../src/render/hash.js';
import { formatHeader } from '../../../src/render/header.js';
import { runPowerShell } from '../../support/powershell.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..', '..');
const templates = join(repoRoot, 'ps-templates');

function folder(name: string): string {
  const dir = join(templates, name);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ps1'))
    .sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

export const runtimeText = (): string => folder('runtime');
export const actionsText = (): string => folder('actions');
export const fakePlatformText = (): string => readFileSync(join(here, 'fake-platform.ps1'), 'utf8');
export const simPlatformText = (): string => folder(join('platform', 'sim'));

export const PLAN_SHA = 'ab'.repeat(32);
export const TOOL_VERSION = '0.1.0';

const PREAMBLE = [
  '#Requires -Version 5.1',
  '[CmdletBinding(SupportsShouldProcess)]',
  'param(',
  '    [string] $BackupDirectory = \'\',',
  '    [string] $RunId = \'\',',
  '    [string] $SimulationState = \'\'',
  ')',
  "$ErrorActionPreference = 'Stop'",
  'Set-StrictMode -Version 3.0',
  '',
].join('\n');

export interface ScriptOptions {
  /** PowerShell run after the fake platform is loaded and before the context (fake state). */
  setup?: string;
  /** The steps section without New-RdsPlanContext / Complete-RdsPlan. */
  steps: string;
  onError?: 'rollback' | 'stop' | 'continue';
  reboot?: 'never' | 'ifRequired' | 'always';
  /** Writes the rdsplan header and passes -ScriptPath $PSCommandPath (self-check). */
  header?: boolean;
  /** Changes the body after the header was computed. */
  tamper?: (body: string) => string;
  /** The in-memory fake of fake-platform.ps1 (default) or the simulated Windows of platform/sim. */
  platform?: 'fake' | 'sim';
  /** Extra arguments for New-RdsPlanContext (e.g. "-TargetName 'rdsh01' -Undo"). */
  contextArgs?: string;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  events: Array<Record<string, any>>;
  steps: Array<Record<string, any>>;
  summary: Record<string, any> | undefined;
  fake: Record<string, any> | undefined;
  dir: string;
}

export function buildScript(opts: ScriptOptions): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rdsplan-rt-'));
  const context =
    `$RdsContext = New-RdsPlanContext -PlanName 'test-plan' -PlanSha256 '${PLAN_SHA}' -ToolVersion '${TOOL_VERSION}'` +
    ` -OnError '${opts.onError ?? 'rollback'}' -Reboot '${opts.reboot ?? 'never'}' -BackupDirectory $BackupDirectory` +
    ` -RunId $RunId -PlatformOption $SimulationState -Cmdlet $PSCmdlet` +
    (opts.header ? ' -ScriptPath $PSCommandPath' : '') +
    (opts.contextArgs ? ` ${opts.contextArgs}` : '');
  let body = [
    PREAMBLE,
    runtimeText(),
    opts.platform === 'sim' ? simPlatformText() : fakePlatformText(),
    actionsText(),
    opts.setup ?? '',
    context,
    opts.steps,
    'Complete-RdsPlan -Context $RdsContext',
    '',
  ].join('\n');
  body = body.replace(/\r?\n/g, '\r\n');
  let text = body;
  if (opts.header) {
    const header = formatHeader(
      { toolVersion: TOOL_VERSION, planName: 'test-plan', planSha256: PLAN_SHA, approvalToken: approvalToken(PLAN_SHA, TOOL_VERSION, body) },
      '\r\n',
    );
    text = header + (opts.tamper ? opts.tamper(body) : body);
  }
  const path = join(dir, 'plan.ps1');
  writeFileSync(path, '\uFEFF' + text, 'utf8');
  return { path, dir };
}

export function parseEvents(stdout: string): { events: Array<Record<string, any>>; fake: Record<string, any> | undefined } {
  const events: Array<Record<string, any>> = [];
  let fake: Record<string, any> | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    if (line.startsWith('@@rdsplan ')) events.push(JSON.parse(line.slice('@@rdsplan '.length)));
    if (line.startsWith('@@fake ')) fake = JSON.parse(line.slice('@@fake '.length));
  }
  return { events, fake };
}

export async function runScript(opts: ScriptOptions, args: string[] = []): Promise<RunResult> {
  const { path, dir } = buildScript(opts);
  const backupDirectory = join(dir, 'backups');
  const r = await runPowerShell({ file: path, args: ['-BackupDirectory', backupDirectory, '-RunId', 'run-1', ...args] });
  const { events, fake } = parseEvents(r.stdout);
  return {
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    events,
    steps: events.filter((e) => e.event === 'step'),
    summary: events.find((e) => e.event === 'summary'),
    fake,
    dir,
  };
}

/** Runs PowerShell text with the runtime loaded (no platform, no context). */
export async function runWithRuntime(text: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'rdsplan-rt-'));
  const path = join(dir, 'snippet.ps1');
  const body = [PREAMBLE, runtimeText(), text, ''].join('\n').replace(/\r?\n/g, '\r\n');
  writeFileSync(path, '\uFEFF' + body, 'utf8');
  return runPowerShell({ file: path });
}
