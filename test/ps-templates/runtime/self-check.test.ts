/**
 * The script's self-check of its approval token (Test-RdsScriptIntegrity in
 * ps-templates/runtime/Events.ps1, run by New-RdsPlanContext) against a header that the
 * TypeScript renderer computes (src/render/header.ts, hash.ts). These tests stay in Jest
 * because the token comes from the TypeScript side. Everything else of the runtime is
 * tested with Pester beside the code (ps-templates/runtime/*.Tests.ps1).
 *
 * The script is assembled by the renderer's assembler (platform/sim) and runs in pwsh against
 * the simulated host, with a state file in a temporary folder.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { PrimitiveStep } from '../../../src/actions/types.js';
import { approvalToken } from '../../../src/shared/hash.js';
import { formatHeader } from '../../../src/render/header.js';
import { assembleScript } from '../../../src/render/script.js';
import { stepCall } from '../../../src/render/step-call.js';
import { runPowerShell } from '../../support/powershell.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PLAN_SHA = 'ab'.repeat(32);
const TOOL_VERSION = '0.1.0';
const GP = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'result.schema.json'), 'utf8'));
const validate = new Ajv2020({ strict: false }).compile(schema);

/** The grace-period preset as the renderer expands it. */
const GRACE = { path: GP, view: 'Default' };
const STEPS: PrimitiveStep[] = [
  { id: 'grace.export', action: 'registry.export', params: GRACE, dependsOn: [], runWhen: 'always', pointer: '/steps/0' },
  { id: 'grace.own', action: 'registry.takeOwnership', params: { ...GRACE, owner: 'S-1-5-32-544', grant: [{ identity: 'S-1-5-32-544', rights: 'FullControl' }], restore: 'afterPlan' }, dependsOn: ['grace.export'], runWhen: 'always', pointer: '/steps/0' },
  { id: 'grace.delete', action: 'registry.deleteValue', params: { ...GRACE, namePattern: 'L$RTMTIMEBOMB*', mustExist: false }, dependsOn: ['grace.own'], runWhen: 'always', pointer: '/steps/0' },
  { id: 'grace.restore', action: 'registry.restoreSecurity', params: { ...GRACE, fromStep: 'grace.own' }, dependsOn: ['grace.own'], runWhen: 'always', pointer: '/steps/0' },
  { id: 'grace.restart', action: 'service.restart', params: { name: 'TermService', force: true }, dependsOn: [], runWhen: 'changed', pointer: '/steps/0' },
  { id: 'grace.days', action: 'rds.getGracePeriodDays', params: {}, dependsOn: [], runWhen: 'always', pointer: '/steps/0' },
];

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
  // The renderer's own assembly of these steps (src/render/script.ts), on the simulated host.
  const { body } = assembleScript(
    { name: 'test-plan', planSha256: PLAN_SHA, backupDirectory: '', onError: 'rollback', reboot: 'never', actions: STEPS.map((step) => step.action), calls: STEPS.map((step) => stepCall(step, STEPS)), literals: [] },
    { platform: 'sim', toolVersion: TOOL_VERSION },
  );
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
