import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '../plan/types.js';
import { quotePowerShell } from '../render/quote.js';
import { renderScript, scriptBytes } from '../render/script.js';
import { addEvent, addHostError, newHostRun, worstExitCode, type HostRun, type Mode } from '../run/host-run.js';
import { withPrivateDir } from '../run/private-dir.js';
import { garbledProtocolMessage, type RunEvent, type StepEvent } from '../run/protocol.js';
import { approvalOf } from '../run/record.js';
import { newRunId } from '../run/run-id.js';
import { RunRecords, withInterrupts } from '../run/records/recorded-run.js';
import { reportedSteps, scriptApprovalToken } from '../run/run-plan.js';
import { PowerShellSession, psLiteral, SessionEndedError, SessionTimeoutError, type ScriptRunResult } from '../run/session.js';
import { stateFileFor } from '../run/state-files.js';
import { isLocalTarget } from '../run/targets.js';
import type { ApplyRequest } from './apply.js';
import { checkHostExit } from './check.js';
import { EXIT, StageError, type ApplyOutcome } from './outcome.js';
import { recordOrFail, type RunSettings } from './settings.js';
import { refuseStale } from './stale-check.js';

/**
 * `rdsplan apply --interactive`: check, show what would change, ask, apply, all in ONE
 * PowerShell session (node-powershell, src/run/session.ts), and for remote targets in the
 * same PSSession per host. The caller has already refused a wrong token and a non-terminal;
 * this stage asks its questions and shows its findings through `InteractiveUi`.
 *
 * Lines sent to the session (every value through psLiteral / quotePowerShell):
 *   local or simulated target:  & '<script>' [-WhatIf] -RunId '<id>' -TargetName '<t>' [-SimulationState '<s>' -BackupDirectory '<b>']
 *   remote target (once):       $global:RdsPlanSessions[<i>] = New-PSSession -ComputerName '<t>' [-Port '<n>'] [-UseSSL] -ErrorAction Stop
 *   remote target (per phase):  Invoke-Command -Session $global:RdsPlanSessions[<i>] -ScriptBlock $global:RdsPlanRunScript -ArgumentList $global:RdsPlanScriptText, @{ … } -ErrorAction Stop
 * each wrapped so its exit code comes back (session.ts, withExitMarker).
 */

interface TargetRun {
  target: Target;
  /** Index into $global:RdsPlanSessions (remote targets only). */
  remote?: number;
  /** Why this target cannot run (e.g. its remote session did not open). */
  unavailable?: string;
}


/** The hashtable literal of script parameters for Invoke-Command (values through quotePowerShell via psLiteral). */
function psHashtable(parameters: Record<string, string | true>): string {
  const entries = Object.entries(parameters).map(([name, value]) => {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`not a parameter name: ${name}`);
    return `${name} = ${value === true ? '$true' : psLiteral(value)}`;
  });
  return `@{ ${entries.join('; ')} }`;
}

/** Runs the plan script inside a remote session: its text as a script block, parameters splatted. */
const REMOTE_RUNNER = '$global:RdsPlanRunScript = { param([string] $ScriptText, [hashtable] $Parameters) & ([scriptblock]::Create($ScriptText)) @Parameters }';

/** The script file a phase runs and the token its self-check must find. */
interface RunnableScript {
  path: string;
  approvalToken: string;
}

interface PhaseResult {
  hosts: HostRun[];
  stderr: string;
  /** Set when the session died during the phase (timeout or unexpected end): one sentence. */
  sessionError?: string;
}

export type InteractiveRequest = Omit<ApplyRequest, 'onEvent'>;

/** What the operator sees and answers between the phases. */
export interface InteractiveUi {
  /** The check's hosts, once it ended. */
  checked(hosts: HostRun[]): void;
  /** The check failed on some host: shown before the refusal. */
  checkFailed(hosts: HostRun[], stderr: string): void;
  /** Asked with the steps that would change: true to apply them. */
  confirm(pending: StepEvent[]): Promise<boolean>;
  /** Each event of the apply as it streams. */
  onEvent(event: RunEvent): void;
}

/** The apply's outcome, or null when the check found nothing to change (then nothing was applied). */
export async function applyInteractively(request: InteractiveRequest, ui: InteractiveUi): Promise<ApplyOutcome | null> {
  const { plan, settings, approved } = request;
  const script = renderScript(plan, { platform: settings.simulate ? 'sim' : 'windows' });
  return withPrivateDir(async (dir) => {
    const scriptPath = join(dir, `${plan.name}.ps1`);
    writeFileSync(scriptPath, scriptBytes(script), { mode: 0o600 });
    const runnable: RunnableScript = {
      path: scriptPath,
      approvalToken: scriptApprovalToken(script, { mode: 'apply', approval: { token: approved.approvalToken }, ...(settings.simulate ? { simulate: settings.simulate } : {}) }),
    };
    let session: PowerShellSession;
    try {
      session = await PowerShellSession.start({ powershell: request.powershell, timeoutMs: settings.timeoutMs });
    } catch (error) {
      if (error instanceof SessionTimeoutError || error instanceof SessionEndedError) throw new StageError(`${error.message}; nothing was run`, EXIT.failed);
      throw error;
    }
    try {
      const targets = await openTargets(session, settings, scriptPath);

      const check = await runPhase(session, 'check', targets, settings, runnable, newRunId(), () => {});
      if (check.sessionError) throw new StageError(`${check.sessionError} during the check; nothing was applied`, EXIT.failed);
      ui.checked(check.hosts);
      const checkCode = worstExitCode(check.hosts.map(checkHostExit));
      if (checkCode === EXIT.failed || checkCode === EXIT.refused || checkCode === EXIT.notElevated) {
        ui.checkFailed(check.hosts, check.stderr);
        throw new StageError(`the check did not succeed on every host (exit ${checkCode}); nothing was applied`, checkCode);
      }
      if (request.expected) refuseStale(request.expected, approved.approvalToken, check.hosts, settings.targets);
      if (checkCode === EXIT.ok) return null;

      // The session stays open while the operator answers; the question is not part of any timeout.
      if (!(await ui.confirm(check.hosts.flatMap((h) => h.steps.filter((s) => s.status === 'wouldChange'))))) throw new StageError('refused: not confirmed; nothing was applied', EXIT.refused);

      const runId = newRunId();
      const records = await recordOrFail(() =>
        RunRecords.begin({
          mode: 'apply',
          runId,
          script,
          plan,
          planBytes: request.bytes,
          approval: approvalOf(request.how, approved.approvalToken),
          recordsRoot: settings.recordsRoot,
          targets: settings.targets,
          ...(settings.simulate ? { simulate: settings.simulate } : {}),
        }),
      );
      let interrupted: string | undefined;
      const run = await withInterrupts((signal, abort) => {
        signal.addEventListener('abort', () => {
          interrupted = String(signal.reason);
          void session.kill();
        });
        return runPhase(session, 'apply', targets, settings, runnable, runId, ui.onEvent, (host, event, line) => {
          const failure = records.event(host, event, line);
          if (failure) abort(failure);
        });
      });
      const recordProblems = records.finalize(run.hosts, run.stderr, interrupted);
      return { hosts: run.hosts, records: records.dirs, stderr: run.stderr, ...(run.sessionError ? { sessionError: run.sessionError } : {}), ...(interrupted ? { interrupted } : {}), recordProblems };
    } finally {
      await closeSession(session);
    }
  });
}

async function closeSession(session: PowerShellSession): Promise<void> {
  if (!session.alive) return;
  try {
    await session.run('if ($global:RdsPlanSessions) { Remove-PSSession -Session @($global:RdsPlanSessions.Values) -ErrorAction SilentlyContinue }', { timeoutMs: 30_000 });
  } catch {
    // the session is killed below in any case
  }
  await session.close();
}

/** Opens one PSSession per remote target (before anything runs) and loads the script text for them. */
async function openTargets(session: PowerShellSession, settings: RunSettings, scriptPath: string): Promise<TargetRun[]> {
  const runs: TargetRun[] = settings.targets.map((target) => ({ target }));
  const remote = runs.filter((r) => !settings.simulate && !isLocalTarget(r.target));
  if (remote.length === 0) return runs;
  await session.run(`$global:RdsPlanSessions = @{}; $global:RdsPlanScriptText = [System.IO.File]::ReadAllText(${psLiteral(scriptPath)}); ${REMOTE_RUNNER}`);
  for (const [index, run] of remote.entries()) {
    const t = run.target;
    const options = [`-ComputerName ${psLiteral(t.computerName)}`, ...(t.port !== undefined ? [`-Port ${quotePowerShell(String(t.port))}`] : []), ...(t.useSSL ? ['-UseSSL'] : [])];
    const opened = await session.runWithExitCode(`$global:RdsPlanSessions[${index}] = New-PSSession ${options.join(' ')} -ErrorAction Stop`);
    if (opened.exitCode === 0) run.remote = index;
    else run.unavailable = `remoting failed: could not open a session${opened.stderr.trim() ? `: ${lastLine(opened.stderr).replace(/^rdsplan: /, '')}` : ''}`;
  }
  return runs;
}

/** One phase (check or apply) over every target, one after another, in the session. */
async function runPhase(
  session: PowerShellSession,
  mode: Extract<Mode, 'check' | 'apply'>,
  targets: TargetRun[],
  settings: RunSettings,
  script: RunnableScript,
  runId: string,
  onEvent: (event: RunEvent) => void,
  onHostEvent?: (host: HostRun, event: RunEvent, line: string) => void,
): Promise<PhaseResult> {
  const phase: PhaseResult = { hosts: [], stderr: '' };
  const deadline = Date.now() + settings.timeoutMs;
  const single = targets.length === 1;
  for (const { target, remote, unavailable } of targets) {
    const host = newHostRun(target.computerName);
    phase.hosts.push(host);
    if (unavailable) {
      host.error = unavailable;
      continue;
    }
    if (phase.sessionError) {
      host.error = `not run: ${phase.sessionError}`;
      continue;
    }
    const parameters: Record<string, string | true> = {
      ...(mode === 'check' ? { WhatIf: true as const } : {}),
      RunId: runId,
      TargetName: target.computerName,
      ApprovalToken: script.approvalToken,
      ...(settings.simulate ? { SimulationState: stateFileFor(settings.simulate, target, single), BackupDirectory: join(settings.recordsRoot, 'backups', target.computerName) } : {}),
    };
    const options = {
      timeoutMs: Math.max(1, deadline - Date.now()),
      onEvent: (event: RunEvent, line: string) => {
        // Events are this target's: the script tags them with -TargetName.
        addEvent(host, event, line);
        onHostEvent?.(host, event, line);
        onEvent(event);
      },
    };
    let result: ScriptRunResult;
    try {
      result =
        remote === undefined
          ? await session.runScript(script.path, parameters, options)
          : await session.runWithExitCode(`Invoke-Command -Session $global:RdsPlanSessions[${remote}] -ScriptBlock $global:RdsPlanRunScript -ArgumentList $global:RdsPlanScriptText, ${psHashtable(parameters)} -ErrorAction Stop`, options);
    } catch (error) {
      if (!(error instanceof SessionTimeoutError || error instanceof SessionEndedError)) throw error;
      phase.sessionError =
        error instanceof SessionTimeoutError
          ? `the PowerShell session timed out after ${Math.round(settings.timeoutMs / 1000)} s (--timeout, per phase); its process${error.pid === undefined ? '' : ` (pid ${error.pid})`} and everything it started were killed`
          : error.message;
      host.error = `${phase.sessionError} ${reportedSteps(host)}`;
      continue;
    }
    phase.stderr += result.stderr;
    for (const problem of result.protocolErrors) phase.stderr += `${problem}\n`;
    if (!host.summary) host.error = `the script ended (exit code ${result.exitCode ?? 'none'}) without a summary${result.stderr.trim() ? `: ${lastLine(result.stderr)}` : ''}`;
    if (result.protocolErrors.length > 0) addHostError(host, garbledProtocolMessage(result.protocolErrors));
  }
  return phase;
}


function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).filter(Boolean).at(-1) ?? '';
}
