import { join, resolve } from 'node:path';
import type { Plan } from '../plan/types.js';
import { renderScript } from '../render/script.js';
import { findPowerShell, PowerShellConfigError, type FoundPowerShell } from '../run/find-powershell.js';
import { RecordIntentError } from '../run/records/recorded-run.js';
import type { RunPlanOptions } from '../run/run-plan.js';
import { isStateFolder } from '../run/state-files.js';
import { selectTargets } from '../run/targets.js';
import { EXIT, StageError } from './outcome.js';
import { recordsFolder } from './records.js';

/** How a run was asked for, as given on the command line (relative paths against `cwd`). */
export interface RunRequest {
  cwd: string;
  target?: string[];
  simulate?: string;
  timeout?: string;
  throttle?: string;
  records?: string;
}

export interface RunSettings {
  targets: Plan['targets'];
  simulate?: string;
  timeoutMs: number;
  throttle: number;
  recordsRoot: string;
}

export async function requirePowerShell(env: NodeJS.ProcessEnv): Promise<FoundPowerShell> {
  let found: FoundPowerShell | null;
  try {
    found = await findPowerShell(env);
  } catch (error) {
    if (error instanceof PowerShellConfigError) throw new StageError(error.message, EXIT.failed);
    throw error;
  }
  if (!found) throw new StageError('no PowerShell found: install PowerShell 7 (pwsh) or Windows PowerShell, or set RDSPLAN_POWERSHELL to its path; nothing was run', EXIT.failed);
  return found;
}

function positiveInteger(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new StageError(`--${name} must be a whole number of at least 1, not ${JSON.stringify(raw)}`, EXIT.usage);
  return value;
}

export function runSettings(plan: Plan, request: RunRequest): RunSettings {
  let targets: Plan['targets'];
  try {
    targets = selectTargets(plan.targets, request.target);
  } catch (error) {
    throw new StageError((error as Error).message, EXIT.usage);
  }
  const { simulate, cwd } = request;
  if (simulate !== undefined && targets.length > 1) {
    if (!isStateFolder(resolve(cwd, simulate))) throw new StageError(`--simulate ${simulate} is one state file, but the run has ${targets.length} targets; give a folder holding <host>.json per target`, EXIT.usage);
  }
  return {
    targets,
    ...(simulate !== undefined ? { simulate: resolve(cwd, simulate) } : {}),
    timeoutMs: positiveInteger(request.timeout, 'timeout', plan.options.timeoutSeconds) * 1000,
    throttle: positiveInteger(request.throttle, 'throttle', 16),
    recordsRoot: recordsFolder(cwd, request.records),
  };
}

/** What every run of the plan's script shares, check or apply: its targets, limits and simulated host. */
export function planRunOptions(plan: Plan, settings: RunSettings, powershell: FoundPowerShell): Omit<RunPlanOptions, 'mode' | 'runId'> {
  return {
    name: plan.name,
    render: (platform) => renderScript(plan, { platform }),
    targets: settings.targets,
    powershell,
    timeoutMs: settings.timeoutMs,
    throttle: settings.throttle,
    ...(settings.simulate ? { simulate: settings.simulate, simulatedBackupRoot: join(settings.recordsRoot, 'backups') } : {}),
  };
}

/** A record that cannot be begun fails the command before anything ran. */
export async function recordOrFail<T>(begin: () => T | Promise<T>): Promise<T> {
  try {
    return await begin();
  } catch (error) {
    if (error instanceof RecordIntentError) throw new StageError(error.message, EXIT.failed);
    throw error;
  }
}
