/**
 * The approved token reaches the script, whose self-check compares its own text with it: a
 * script file edited after rdsplan wrote it, header recomputed (a same-user edit of the
 * record's script.ps1 before it runs), is refused on the host, for one host (-File) and for a
 * fleet (the fan-out driver sends the text).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { validatePlanText } from '../../src/plan/validate.js';
import { approvalToken as tokenOf } from '../../src/shared/hash.js';
import { formatHeader } from '../../src/render/header.js';
import { renderScript, type RenderedScript } from '../../src/render/script.js';
import { runPlan, scriptApprovalToken } from '../../src/run/run-plan.js';
import { powershellPath } from '../support/powershell.js';
import { tempDir as tmp } from '../support/files.js';
import { defaultState, hostSections } from '../support/sim.js';

const planFor = (targets: string[]) =>
  validatePlanText(
    'plan.json',
    Buffer.from(
      JSON.stringify({
        apiVersion: 'rdsplan/v1',
        name: 'set-license-server',
        change: { id: 'CHG0099997', requestedBy: 'ops@contoso.com' },
        targets,
        options: { onError: 'rollback' },
        steps: [{ id: 'servers', action: 'rds.setLicenseServers', servers: ['lic01.contoso.com'] }],
      }),
    ),
  ).plan!;

/** The script with its body edited and its header recomputed over the edit, as written to disk. */
function rewritten(script: RenderedScript, edit: (body: string) => string): Buffer {
  const body = edit(script.body);
  expect(body).not.toBe(script.body);
  const header = formatHeader({ ...script.header, approvalToken: tokenOf(script.header.planSha256, script.header.toolVersion, body) }, '\r\n');
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(header + body, 'utf8')]);
}

async function applyTampered(targets: string[]) {
  const plan = planFor(targets);
  const dir = tmp('rdsplan-approval-');
  const state = await defaultState();
  const stateFiles = targets.length === 1 ? [join(dir, 'state.json')] : targets.map((t) => join(dir, 'hosts', `${t}.json`));
  if (targets.length > 1) mkdirSync(join(dir, 'hosts'));
  for (const file of stateFiles) writeFileSync(file, state);
  const before = stateFiles.map((file) => hostSections(file));
  const sim = renderScript(plan, { platform: 'sim' });
  const scriptPath = join(dir, 'script.ps1');
  writeFileSync(scriptPath, rewritten(sim, (body) => body.replace("'lic01.contoso.com'", "'evil01.contoso.com'")));
  const run = await runPlan({
    name: plan.name,
    render: (platform) => renderScript(plan, { platform }),
    mode: 'apply',
    approval: { token: renderScript(plan).approvalToken },
    targets: plan.targets,
    powershell: { path: powershellPath(), source: 'RDSPLAN_POWERSHELL' },
    runId: 'run-approval',
    timeoutMs: 120_000,
    throttle: 2,
    simulate: targets.length === 1 ? stateFiles[0]! : join(dir, 'hosts'),
    simulatedBackupRoot: join(dir, 'backups'),
    scriptPath,
  });
  return { run, before, after: stateFiles.map((file) => hostSections(file)), text: readFileSync(scriptPath, 'utf8') };
}

describe('the approved token in the script self-check', () => {
  test.each([
    ['one host (-File)', ['rdsh01.contoso.com']],
    ['a fleet (the driver sends the text)', ['rdsh01.contoso.com', 'rdsh02.contoso.com']],
  ])('a script edited with its header recomputed is refused on %s, the host unchanged', async (_name, targets) => {
    const { run, before, after, text } = await applyTampered(targets);
    expect(text).toContain('evil01');
    expect(run.exitCode).toBe(4);
    for (const host of run.hosts) {
      expect(host.summary?.status).toBe('refused');
      expect(host.summary?.message).toMatch(/^refused: script self-check failed: the script is not the one approved as sha256:[0-9a-f]{64}$/);
      expect(host.steps).toEqual([]);
    }
    expect(after).toEqual(before);
  });

  test('an apply or undo needs the token it was approved with; on Windows it must be the script\'s', () => {
    const plan = planFor(['rdsh01']);
    const windows = renderScript(plan);
    const sim = renderScript(plan, { platform: 'sim' });
    expect(() => scriptApprovalToken(windows, { mode: 'apply' })).toThrow('an apply run needs the token it was approved with');
    expect(() => scriptApprovalToken(windows, { mode: 'undo' })).toThrow('an undo run needs the token it was approved with');
    expect(() => scriptApprovalToken(windows, { mode: 'apply', approval: { token: sim.approvalToken } })).toThrow(`the script to run is not the one approved as ${sim.approvalToken}`);
    expect(scriptApprovalToken(windows, { mode: 'apply', approval: { token: windows.approvalToken } })).toBe(windows.approvalToken);
    // A simulated rehearsal of the approved plan runs the simulator rendering, with its own token.
    expect(scriptApprovalToken(sim, { mode: 'apply', approval: { token: windows.approvalToken }, simulate: 'state.json' })).toBe(sim.approvalToken);
    expect(scriptApprovalToken(windows, { mode: 'check' })).toBe(windows.approvalToken);
  });
});
