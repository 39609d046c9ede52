import type { Plan } from '../plan/types.js';
import { renderScript, type RenderedScript } from '../render/script.js';
import type { FoundPowerShell } from '../run/find-powershell.js';
import type { RunEvent } from '../run/protocol.js';
import { approvalOf } from '../run/record.js';
import { newRunId } from '../run/run-id.js';
import { runRecorded } from '../run/records/recorded-run.js';
import { runPlan } from '../run/run-plan.js';
import { EXIT, StageError, type ApplyOutcome } from './outcome.js';
import { planRunOptions, recordOrFail, type RunSettings } from './settings.js';
import { refuseStale, type SavedCheck } from './stale-check.js';

/**
 * Where a token comes from. A refusal never prints the plan's current token, not even a part
 * of it: pasted from an error message it would approve a plan nobody reviewed.
 */
export const howToGetToken = (reviewCommand: string): string => `to get one, run ${reviewCommand}, have that review approved, and pass the token it ends with to --approve`;

/** A token given with --approve must be the plan's current one: anything else is refused before anything runs. */
export function refuseWrongToken(file: string, given: string | undefined, approved: RenderedScript): void {
  if (given !== undefined && given !== approved.approvalToken) {
    throw new StageError(`refused: ${given} is not the approval token of ${file} as it is now: the plan, the tool version or the script changed since the review, or the token is not one rdsplan printed; ${howToGetToken(`rdsplan review ${file}`)}. Nothing was run`, EXIT.refused);
  }
}

/** Off a terminal nobody can confirm: a run without --approve is refused. */
export function refuseNoToken(file: string): never {
  throw new StageError(`refused: apply needs --approve <token> when not run on a terminal; ${howToGetToken(`rdsplan review ${file}`)}. Nothing was run`, EXIT.refused);
}

export interface ApplyRequest {
  plan: Plan;
  /** The plan file's bytes exactly as validated. */
  bytes: Uint8Array;
  settings: RunSettings;
  approved: RenderedScript;
  how: 'token' | 'confirmed';
  powershell: FoundPowerShell;
  /** The check the change board saw (--expect-state): a fresh check must match it first. */
  expected?: SavedCheck;
  onEvent: (event: RunEvent) => void;
}

/** `rdsplan apply`: the recorded run of an approved plan, refused when the hosts changed since the saved check. */
export async function applyPlan(request: ApplyRequest): Promise<ApplyOutcome> {
  const { plan, settings, approved } = request;
  const common = planRunOptions(plan, settings, request.powershell);
  if (request.expected) {
    const fresh = await runPlan({ ...common, mode: 'check', runId: newRunId() });
    refuseStale(request.expected, approved.approvalToken, fresh.hosts, settings.targets);
  }
  const recorded = await recordOrFail(() =>
    runRecorded({
      ...common,
      mode: 'apply',
      runId: newRunId(),
      script: renderScript(plan, { platform: settings.simulate ? 'sim' : 'windows' }),
      plan,
      planBytes: request.bytes,
      approval: approvalOf(request.how, approved.approvalToken),
      recordsRoot: settings.recordsRoot,
      onEvent: request.onEvent,
    }),
  );
  const { run, records, interrupted, recordProblems } = recorded;
  return { hosts: run.hosts, records, stderr: run.process.stderr, ...(interrupted ? { interrupted } : {}), recordProblems };
}
