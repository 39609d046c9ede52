import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '../plan/types.js';
import { scriptBytes, type RenderedScript } from '../render/script.js';
import type { Platform } from '../render/templates.js';
import { executeScript, type ExecuteResult } from './execute.js';
import type { FoundPowerShell } from './find-powershell.js';
import { fleetDriverText } from './fleet-driver.js';
import { addEvent, addHostError, hostExitCode, newHostRun, worstExitCode, type HostRun, type Mode } from './host-run.js';
import { withPrivateDir } from './private-dir.js';
import { garbledProtocolMessage, misattributedMessage, type RunEvent } from './protocol.js';
import { stateFileFor } from './state-files.js';
import { isLocalTarget } from './targets.js';

/**
 * Runs a validated plan on its targets, in check (-WhatIf) or apply mode: one host directly
 * with -File, several (or a remote one) through the fan-out driver. With `simulate` every
 * target runs against a simulated host: a state file for one target, a folder of
 * `<host>.json` files for several.
 */
export interface RunPlanOptions {
  /** Used for the temporary script's file name. */
  name: string;
  /** The script for a platform: the plan's, or an undo script. */
  render: (platform: Platform) => RenderedScript;
  /** check runs with -WhatIf; apply and undo for real. */
  mode: Mode;
  targets: Target[];
  powershell: FoundPowerShell;
  runId: string;
  timeoutMs: number;
  throttle: number;
  /** A state file (one target) or a folder of them. */
  simulate?: string;
  /** Where simulated hosts keep their backups (a real host uses the plan's backupDirectory). */
  simulatedBackupRoot?: string;
  onEvent?: (event: RunEvent) => void;
  /** Each event with the host run it was filed under and its line as printed (the run record's feed). */
  onHostEvent?: (run: HostRun, event: RunEvent, line: string) => void;
  /** A script file already written where nobody else can change it (the run record's script.ps1): run it instead of a temporary copy. */
  scriptPath?: string;
  /** Aborting kills the PowerShell tree; the hosts report why. */
  signal?: AbortSignal;
  /** How an apply or undo was approved: the token of the Windows rendering (required unless check). */
  approval?: { token: string };
}

export interface PlanRun {
  script: RenderedScript;
  hosts: HostRun[];
  process: Pick<ExecuteResult, 'exitCode' | 'timedOut' | 'stderr' | 'output' | 'protocolErrors' | 'interrupted'>;
  exitCode: number;
}


function explainMissingSummary(run: HostRun, result: ExecuteResult, timeoutMs: number): string {
  if (result.startError) return `PowerShell could not be started: ${result.startError}`;
  if (result.interrupted) return `interrupted (${result.interrupted}); the PowerShell process tree was killed ${reportedSteps(run)}`;
  if (result.timedOut) return `timed out after ${Math.round(timeoutMs / 1000)} s; the PowerShell process tree was killed ${reportedSteps(run)}`;
  const lastError = result.stderr.trim().split(/\r?\n/).filter(Boolean).at(-1);
  return `the script ended (exit code ${result.exitCode ?? 'none'}) without a summary${lastError ? `: ${lastError}` : ''}`;
}

/** One sentence per host and the name it used that was not its own, in the order they first came. */
function misattributedSentences(misattributed: ExecuteResult['misattributed']): Array<{ host: string; sentence: string }> {
  const counts = new Map<string, { host: string; claimed: string; count: number }>();
  for (const { host, claimed } of misattributed) {
    const key = JSON.stringify([host.toLowerCase(), claimed.toLowerCase()]);
    const seen = counts.get(key) ?? { host, claimed, count: 0 };
    seen.count += 1;
    counts.set(key, seen);
  }
  return [...counts.values()].map(({ host, claimed, count }) => ({ host, sentence: misattributedMessage(host, claimed, count) }));
}

/** Which steps had reported when a run was cut short: what an operator checks on the host first. */
export function reportedSteps(run: HostRun): string {
  const ids = run.steps.map((step) => `${step.stepId} ${step.status}`);
  return ids.length === 0 ? 'before any step reported' : `after ${ids.length} reported step${ids.length === 1 ? '' : 's'} (${ids.join(', ')})`;
}

/**
 * The token the script's self-check compares its own text with, so a script file changed after
 * rdsplan wrote it (its header recomputed or not) is refused on the host. A simulated rehearsal
 * runs the approved plan's simulator rendering, whose token is its own.
 */
export function scriptApprovalToken(script: RenderedScript, options: Pick<RunPlanOptions, 'mode' | 'approval' | 'simulate'>): string {
  if (options.mode !== 'check') {
    if (!options.approval) throw new Error(`an ${options.mode} run needs the token it was approved with`);
    if (options.simulate === undefined && options.approval.token !== script.approvalToken) {
      throw new Error(`the script to run is not the one approved as ${options.approval.token}`);
    }
  }
  return script.approvalToken;
}

export async function runPlan(options: RunPlanOptions): Promise<PlanRun> {
  const { targets, simulate } = options;
  const script = options.render(simulate ? 'sim' : 'windows');
  const approvalToken = scriptApprovalToken(script, options);
  const direct = targets.length === 1 && (simulate !== undefined || isLocalTarget(targets[0]!));
  const hosts = new Map(targets.map((t) => [t.computerName.toLowerCase(), newHostRun(t.computerName)]));

  const result = await withPrivateDir(async (dir) => {
    let scriptPath = options.scriptPath;
    if (scriptPath === undefined) {
      scriptPath = join(dir, `${options.name}.ps1`);
      writeFileSync(scriptPath, scriptBytes(script), { mode: 0o600 });
    }
    // In a fleet an event is filed under the connection that relayed it (the payload's host was checked against it).
    const onEvent = (event: RunEvent, line: string, relayedFrom?: string) => {
      const run = relayedFrom !== undefined ? hosts.get(relayedFrom.toLowerCase()) : (hosts.get(event.host.toLowerCase()) ?? (direct ? [...hosts.values()][0] : undefined));
      if (run) {
        addEvent(run, event, line);
        options.onHostEvent?.(run, event, line);
      }
      options.onEvent?.(event);
    };
    const signal = options.signal ? { signal: options.signal } : {};
    const backupRoot = (target: Target) => join(options.simulatedBackupRoot ?? join(dir, 'backups'), target.computerName);
    if (direct) {
      const target = targets[0]!;
      return executeScript({
        powershell: options.powershell,
        scriptPath,
        parameters: {
          RunId: options.runId,
          TargetName: target.computerName,
          ApprovalToken: approvalToken,
          ...(simulate ? { SimulationState: stateFileFor(simulate, target, true), BackupDirectory: backupRoot(target) } : {}),
          ...(options.mode === 'check' ? { WhatIf: true as const } : {}),
        },
        timeoutMs: options.timeoutMs,
        onEvent,
        ...signal,
      });
    }
    const targetFile = join(dir, 'targets.json');
    writeFileSync(
      targetFile,
      JSON.stringify(targets.map((t) => ({ computerName: t.computerName, port: t.port ?? 0, useSSL: t.useSSL ?? false, ...(simulate ? { stateFile: stateFileFor(simulate, t, false) } : {}) }))),
      { mode: 0o600 },
    );
    const driverPath = join(dir, 'Invoke-RdsFleet.ps1');
    writeFileSync(driverPath, `\uFEFF${fleetDriverText()}`, { mode: 0o600 });
    return executeScript({
      powershell: options.powershell,
      scriptPath: driverPath,
      fleetTargets: targets.map((t) => t.computerName),
      parameters: {
        ScriptPath: scriptPath,
        TargetFile: targetFile,
        RunId: options.runId,
        ApprovalToken: approvalToken,
        ThrottleLimit: String(options.throttle),
        ...(simulate ? { Simulate: true as const, BackupDirectory: options.simulatedBackupRoot ?? join(dir, 'backups') } : {}),
        ...(options.mode === 'check' ? { Check: true as const } : {}),
      },
      timeoutMs: options.timeoutMs,
      onEvent,
      ...signal,
    });
  });

  const garbled = result.protocolErrors.length > 0 ? garbledProtocolMessage(result.protocolErrors) : undefined;
  for (const run of hosts.values()) {
    if (!run.summary) run.error = explainMissingSummary(run, result, options.timeoutMs);
    // A garbled line cannot be attributed to a host: none of them is trusted.
    if (garbled) addHostError(run, garbled);
  }
  const misattributed = misattributedSentences(result.misattributed);
  for (const { host, sentence } of misattributed) addHostError(hosts.get(host.toLowerCase())!, sentence);
  const stderr = [result.stderr, ...result.protocolErrors.map((problem) => `${problem}\n`), ...misattributed.map(({ sentence }) => `${sentence}\n`)].join('');
  const list = [...hosts.values()];
  return {
    script,
    hosts: list,
    process: { exitCode: result.exitCode, timedOut: result.timedOut, stderr, output: result.output, protocolErrors: result.protocolErrors, ...(result.interrupted ? { interrupted: result.interrupted } : {}) },
    exitCode: worstExitCode(list.map((run) => hostExitCode(run, options.mode))),
  };
}
