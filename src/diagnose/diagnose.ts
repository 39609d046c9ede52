import { checkPlan } from '../apply/check.js';
import { EXIT, StageError } from '../apply/outcome.js';
import type { RunSettings } from '../apply/settings.js';
import type { Plan } from '../plan/types.js';
import { validatePlanText } from '../plan/validate.js';
import type { FoundPowerShell } from '../run/find-powershell.js';
import { hostExitCode, worstExitCode, type HostRun } from '../run/host-run.js';
import type { RunEvent } from '../run/protocol.js';
import { readFacts } from './facts.js';
import { actionable, findingsOf } from './findings.js';
import { DIAGNOSIS_FORMAT, type Diagnosis, type HostDiagnosis } from './format.js';

const STEP = 'licensing';

/**
 * The plan a diagnosis runs: the given plan's targets and time limit, one rds.readLicensing
 * step (with the plan's own eventDays where it has such a step). It is validated like any plan, and run as a check (-WhatIf), so it needs no approval
 * and changes nothing.
 */
export function diagnosisPlan(plan: Plan): Plan {
  // A plan that reads the licensing state itself says how many days of events to read.
  const own = plan.steps.find((step) => step.action === 'rds.readLicensing');
  const document = { apiVersion: 'rdsplan/v1', name: plan.name, targets: plan.document.targets, options: { timeoutSeconds: plan.options.timeoutSeconds }, steps: [{ id: STEP, action: 'rds.readLicensing', ...(own ? { eventDays: own.params.eventDays } : {}) }] };
  const result = validatePlanText(`${plan.file} (diagnosis)`, Buffer.from(JSON.stringify(document)));
  if (!result.plan) throw new StageError(`internal error: the diagnosis plan does not validate: ${result.diagnostics.map((d) => d.message).join('; ')}`, EXIT.failed);
  return result.plan;
}

export function hostDiagnosis(run: HostRun): HostDiagnosis {
  const read = run.steps.find((s) => s.stepId === STEP && s.status === 'unchanged');
  const ranExit = hostExitCode(run, 'check');
  if (!read || ranExit !== 0) {
    const why = run.error ?? run.steps.find((s) => s.status === 'failed')?.message ?? run.summary?.message ?? 'the host reported no reading';
    return { host: run.host, exitCode: ranExit === 0 ? 1 : ranExit, error: why, facts: null, findings: [] };
  }
  const facts = readFacts(read.after);
  const findings = findingsOf(facts);
  return { host: run.host, exitCode: actionable(findings).length > 0 ? 3 : 0, error: null, facts, findings };
}

/** `rdsplan diagnose`: read the licensing state of each target (read-only) and work out the findings. */
export async function diagnose(plan: Plan, settings: RunSettings, powershell: FoundPowerShell, onEvent: (event: RunEvent) => void): Promise<Diagnosis> {
  const { run } = await checkPlan(diagnosisPlan(plan), settings, powershell, onEvent);
  const hosts = run.hosts.map(hostDiagnosis);
  return { formatVersion: DIAGNOSIS_FORMAT, kind: 'rdsplan-diagnosis', plan: { name: plan.name, file: plan.file }, exitCode: worstExitCode(hosts.map((h) => h.exitCode)), hosts };
}
