/**
 * The script's self-check of its approval token (Test-RdsScriptIntegrity in
 * ps-templates/runtime/Events.ps1, run by New-RdsPlanContext) against a header that the
 * TypeScript renderer computes (src/render/header.ts, hash.ts). These tests stay in Jest
 * because the token comes from the TypeScript side. Everything else of the runtime is
 * tested with Pester beside the code (ps-templates/runtime/*.Tests.ps1).
 *
 * The script is assembled as the renderer assembles it (runtime, platform/sim, actions,
 * steps) and runs in pwsh against the simulated host, with a state file in a temporary
 * folder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { approvalToken } from '../../../src/shared/hash.js';
import { formatHeader } from '../../../src/render/header.js';
import { runPowerShell } from '../../support/powershell.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PLAN_SHA = 'ab'.repeat(32);
const TOOL_VERSION = '0.1.0';
const GP = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'result.schema.json'), 'utf8'));
const validate = new Ajv2020({ strict: false }).compile(schema);

/** The .ps1 files of a ps-templates folder in the renderer's (ordinal) order, without Pester tests. */
function folder(name: string): string {
  const dir = join(repoRoot, 'ps-templates', name);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ps1') && !f.endsWith('.Tests.ps1'))
    .sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1))
    .map((f) => readFileSync(join(dir, f), 'utf8').replace(/^\uFEFF/, ''))
    .join('\n');
}

/** The grace-period preset as the renderer expands it. */
const STEPS = [
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.export' -Action 'registry.export' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = '${GP}'; View = 'Default' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.own' -Action 'registry.takeOwnership' -RunWhen 'always' -DependsOn @('grace.export') -Parameters @{ Path = '${GP}'; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(@{ Identity = 'S-1-5-32-544'; Rights = 'FullControl' }); Restore = 'afterPlan' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.delete' -Action 'registry.deleteValue' -RunWhen 'always' -DependsOn @('grace.own') -Parameters @{ Path = '${GP}'; View = 'Default'; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $false }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.restore' -Action 'registry.restoreSecurity' -RunWhen 'always' -DependsOn @('grace.own') -Parameters @{ Path = '${GP}'; View = 'Default'; FromStep = 'grace.own' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.restart' -Action 'service.restart' -RunWhen 'changed' -DependsOn @() -Parameters @{ Name = 'TermService'; Force = $true }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.days' -Action 'rds.getGracePeriodDays' -RunWhen 'always' -DependsOn @() -Parameters @{}`,
].join('\n');

interface RunResult {
  exitCode: number;
  stderr: string;
  events: Array<Record<string, any>>;
  steps: Array<Record<string, any>>;
  summary: Record<string, any> | undefined;
  state: Record<string, any>;
  dir: string;
}

/** Renders header + body as the renderer does (CRLF, BOM), optionally edits the body afterwards, and runs it on the simulated host. */
interface Tampering {
  /** Edits the body after the header was computed. */
  body?: (body: string) => string;
  /** Recomputes the header over the edited body, as a same-user edit would. */
  rewriteHeader?: boolean;
}

async function runSigned(tampering: Tampering = {}): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rdsplan-selfcheck-'));
  const context =
    `$RdsContext = New-RdsPlanContext -PlanName 'test-plan' -PlanSha256 '${PLAN_SHA}' -ToolVersion '${TOOL_VERSION}'` +
    " -OnError 'rollback' -Reboot 'never' -BackupDirectory $BackupDirectory -RunId $RunId -PlatformOption $SimulationState -ApprovalToken $ApprovalToken -Cmdlet $PSCmdlet";
  const body = [
    '#Requires -Version 5.1',
    '[CmdletBinding(SupportsShouldProcess)]',
    "param([string] $BackupDirectory = '', [string] $RunId = '', [string] $SimulationState = '', [string] $ApprovalToken = '')",
    "$ErrorActionPreference = 'Stop'",
    'Set-StrictMode -Version 3.0',
    folder('runtime'),
    folder(join('platform', 'sim')),
    folder('actions'),
    context,
    STEPS,
    'Complete-RdsPlan -Context $RdsContext',
    '',
  ]
    .join('\n')
    .replace(/\r?\n/g, '\r\n');
  const approved = approvalToken(PLAN_SHA, TOOL_VERSION, body);
  const ran = tampering.body ? tampering.body(body) : body;
  const headerToken = tampering.rewriteHeader ? approvalToken(PLAN_SHA, TOOL_VERSION, ran) : approved;
  const header = formatHeader({ toolVersion: TOOL_VERSION, planName: 'test-plan', planSha256: PLAN_SHA, approvalToken: headerToken }, '\r\n');
  const path = join(dir, 'plan.ps1');
  writeFileSync(path, '\uFEFF' + header + ran, 'utf8');
  const stateFile = join(dir, 'state.json');
  const r = await runPowerShell({ file: path, args: ['-BackupDirectory', join(dir, 'backups'), '-RunId', 'run-1', '-SimulationState', stateFile, '-ApprovalToken', approved] });
  const events = r.stdout
    .split(/\r?\n/)
    .filter((line) => line.startsWith('@@rdsplan '))
    .map((line) => JSON.parse(line.slice('@@rdsplan '.length)));
  return {
    exitCode: r.exitCode,
    stderr: r.stderr,
    events,
    steps: events.filter((e) => e.event === 'step'),
    summary: events.find((e) => e.event === 'summary'),
    state: JSON.parse(readFileSync(stateFile, 'utf8')),
    dir,
  };
}

function expectValidEvents(r: RunResult): void {
  for (const e of r.events) {
    if (!validate(e)) throw new Error(`invalid event ${JSON.stringify(e)}: ${JSON.stringify(validate.errors)}`);
  }
}

describe('self-check of the approval token', () => {
  test('an untouched script runs', async () => {
    const r = await runSigned();
    expectValidEvents(r);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.summary?.status).toBe('succeeded');
    expect(r.steps.map((s) => `${s.stepId}:${s.status}`)).toEqual([
      'grace.export:changed',
      'grace.own:changed',
      'grace.delete:changed',
      'grace.restore:changed',
      'grace.restart:changed',
      'grace.days:unchanged',
    ]);
  });

  test('a tampered body is refused with exit 4 before the lock or any step', async () => {
    const r = await runSigned({ body: (b) => b.replace("'TermService'; Force", "'TermService2'; Force") });
    expectValidEvents(r);
    expect(r.exitCode).toBe(4);
    expect(r.steps).toEqual([]);
    expect(r.summary?.status).toBe('refused');
    expect(r.summary?.message).toMatch(/^refused: script self-check failed: the script was modified after rendering/);
    // The refused run saved the simulated host (it counted its reads) without taking the lock or changing anything.
    expect(Object.keys(r.state.calls)).not.toEqual([]);
    expect(r.state.calls['Lock-RdsHost']).toBeUndefined();
    expect(r.state.callLog).toEqual([]);
    expect(existsSync(join(r.dir, 'backups'))).toBe(false);
  });

  test('an edit that also rewrote the header is refused against the approved token, before the lock or any step', async () => {
    const r = await runSigned({ body: (b) => b.replace("'TermService'; Force", "'TermService2'; Force"), rewriteHeader: true });
    expectValidEvents(r);
    expect(r.exitCode).toBe(4);
    expect(r.steps).toEqual([]);
    expect(r.summary?.message).toMatch(/^refused: script self-check failed: the script is not the one approved as sha256:[0-9a-f]{64}$/);
    expect(r.state.calls['Lock-RdsHost']).toBeUndefined();
  });
});
