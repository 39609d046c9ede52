import type { Plan } from '../plan/types.js';
import { renderScript } from '../render/script.js';
import type { FoundPowerShell } from '../run/find-powershell.js';
import { hostExitCode, type HostRun } from '../run/host-run.js';
import type { RunEvent } from '../run/protocol.js';
import { newRunId } from '../run/run-id.js';
import { runPlan, type PlanRun } from '../run/run-plan.js';
import { planRunOptions, type RunSettings } from './settings.js';

export interface CheckOutcome {
  runId: string;
  run: PlanRun;
  /** The token an apply of this plan needs: a saved check is bound to it. */
  approvalToken: string;
}

export const checkHostExit = (hostRun: HostRun): number => hostExitCode(hostRun, 'check');

/** `rdsplan check`: the plan's script with -WhatIf on every target; changes nothing. */
export async function checkPlan(plan: Plan, settings: RunSettings, powershell: FoundPowerShell, onEvent: (event: RunEvent) => void): Promise<CheckOutcome> {
  const runId = newRunId();
  const run = await runPlan({ ...planRunOptions(plan, settings, powershell), mode: 'check', runId, onEvent });
  return { runId, run, approvalToken: renderScript(plan).approvalToken };
}
