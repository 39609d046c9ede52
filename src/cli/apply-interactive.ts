import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Target } from '../plan/types.js';
import { buildReview } from '../render/review/model.js';
import { renderReview } from '../render/review/index.js';
import { quotePowerShell } from '../render/quote.js';
import { renderScript, scriptBytes } from '../render/script.js';
import { addEvent, addHostError, hostExitCode, newHostRun, worstExitCode, type HostRun, type Mode } from '../run/host-run.js';
import { withPrivateDir } from '../run/private-dir.js';
import { garbledProtocolMessage, type RunEvent } from '../run/protocol.js';
import { newRunId } from '../run/run-id.js';
import { RecordIntentError, RunRecords, withInterrupts } from '../run/records/recorded-run.js';
import { reportedSteps, scriptApprovalToken } from '../run/run-plan.js';
import { PowerShellSession, psLiteral, SessionEndedError, SessionTimeoutError, type ScriptRunResult } from '../run/session.js';
import { stateFileFor } from '../run/state-files.js';
import { isLocalTarget } from '../run/targets.js';
import type { ParsedArgs } from './args.js';
import { CliError, EXIT, type Io } from './command.js';
import { confirm, isInteractive } from './confirm.js';
import { requirePlan } from './plan-input.js';
import { describeEvent, requirePowerShell, runSettings, summaryTable, type RunSettings } from './run-common.js';
import { reportApply } from './apply-report.js';
import { readSavedCheck, staleness } from './stale-check.js';
import { terminalSafe } from './terminal-safe.js';

/**
 * `rdsplan apply --interactive`: check, show what would change, ask, apply, all in ONE
 * PowerShell session (node-powershell, src/run/session.ts), and for remote targets in the
 * same PSSession per host. The approval rules of apply hold: `--approve` must be the plan's
 * current token (exit 4 otherwise); without it, the typed confirmation is the approval, after
 * the review is shown. Either way the confirmation is asked on a terminal (io.stdin and
 * io.stderr TTYs); elsewhere the command is refused before anything runs.
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

export async function applyInteractive({ positionals, flags }: ParsedArgs, io: Io): Promise<number> {
  const file = positionals[0]!;
  const { plan, result, bytes } = requirePlan(file, io);
  const settings = runSettings(plan, flags, io);
  const approved = renderScript(plan);
  const token = flags.approve as string | undefined;
  if (token !== undefined && token !== approved.approvalToken) {
    throw new CliError(`refused: ${token} is not the approval token of ${file} as it is now: the plan, the tool version or the script changed since the review. Review it again (rdsplan review prints the token). Nothing was run`, EXIT.refused);
  }
  if (!isInteractive(io)) {
    throw new CliError('refused: apply --interactive asks for confirmation on a terminal, and this is not one; use apply --approve <token> without --interactive. Nothing was run', EXIT.refused);
  }
  let saved: ReturnType<typeof readSavedCheck> | undefined;
  if (typeof flags['expect-state'] === 'string') {
    try {
      saved = readSavedCheck(resolve(io.cwd, flags['expect-state']));
    } catch (error) {
      throw new CliError(`cannot use --expect-state: ${(error as Error).message}`, EXIT.usage);
    }
  }
  if (token === undefined) {
    // Without a token the confirmation is the approval: show what is being approved first.
    io.stderr.write(renderReview(buildReview(plan, approved, result.diagnostics), 'text', { color: io.stderr.isTTY === true && (io.env.NO_COLOR ?? '') === '' }));
  }
  const powershell = await requirePowerShell(io);
  const script = renderScript(plan, { platform: settings.simulate ? 'sim' : 'windows' });
  const json = flags.format === 'json';
  const report = json ? io.stderr : io.stdout;

  return withPrivateDir(async (dir) => {
    const scriptPath = join(dir, `${plan.name}.ps1`);
    writeFileSync(scriptPath, scriptBytes(script), { mode: 0o600 });
    const runnable: RunnableScript = {
      path: scriptPath,
      approvalToken: scriptApprovalToken(script, { mode: 'apply', approval: { token: approved.approvalToken }, ...(settings.simulate ? { simulate: settings.simulate } : {}) }),
    };
    let session: PowerShellSession;
    try {
      session = await PowerShellSession.start({ powershell, timeoutMs: settings.timeoutMs });
    } catch (error) {
      if (error instanceof SessionTimeoutError || error instanceof SessionEndedError) throw new CliError(`${error.message}; nothing was run`, EXIT.failed);
      throw error;
    }
    try {
      const targets = await openTargets(session, settings, scriptPath);

      // 1. Check (-WhatIf) in this session.
      const check = await runPhase(session, 'check', targets, settings, runnable, newRunId(), () => {});
      if (check.sessionError) throw new CliError(`${check.sessionError} during the check; nothing was applied`, EXIT.failed);
      for (const host of check.hosts) for (const step of host.steps) report.write(`${describeEvent(step)}\n`);
      const checkCode = worstExitCode(check.hosts.map((h) => hostExitCode(h, 'check')));
      if (checkCode === EXIT.failed || checkCode === EXIT.refused || checkCode === EXIT.notElevated) {
        report.write(`\n${summaryTable(check.hosts, (h) => hostExitCode(h, 'check'))}`);
        if (check.stderr.trim() !== '') io.stderr.write(terminalSafe(check.stderr.endsWith('\n') ? check.stderr : `${check.stderr}\n`, { keepNewlines: true }));
        throw new CliError(`the check did not succeed on every host (exit ${checkCode}); nothing was applied`, checkCode);
      }
      if (saved) {
        const stale = staleness(saved, approved.approvalToken, check.hosts, settings.targets);
        if (stale) throw new CliError(`refused: ${stale}; review and check again. Nothing was run`, EXIT.refused);
      }

      // 2. Show what would change.
      const pending = check.hosts.flatMap((h) => h.steps.filter((s) => s.status === 'wouldChange'));
      if (checkCode === EXIT.ok) {
        report.write(`\nNothing would change on ${check.hosts.length} host(s); nothing was applied.\n`);
        return EXIT.ok;
      }
      const pendingHosts = new Set(pending.map((s) => s.host.toLowerCase())).size;
      report.write(`\nWould change (${pending.length} step(s) on ${pendingHosts} host(s)):\n`);
      for (const step of pending) report.write(`${terminalSafe(`  ${step.host}  ${step.stepId} (${step.action})${step.target ? ` ${step.target}` : ''}: ${brief(step.before)} -> ${brief(step.after)}`)}\n`);

      // 3. Ask. The session stays open meanwhile; the question is not part of any timeout.
      if (!(await confirm(io, '\nType "apply" to continue: ', 'apply'))) throw new CliError('refused: not confirmed; nothing was applied', EXIT.refused);

      // 4. Apply in the same session, then the records, as apply does.
      const progressLine = (event: RunEvent) => {
        const line = json ? null : describeEvent(event);
        if (line && settings.targets.length === 1) io.stdout.write(`${line}\n`);
      };
      const runId = newRunId();
      let records: RunRecords;
      try {
        records = RunRecords.begin({
          mode: 'apply',
          runId,
          script,
          plan,
          planBytes: bytes,
          approval: { how: token === undefined ? 'confirmed' : 'token', token: approved.approvalToken },
          recordsRoot: settings.recordsRoot,
          targets: settings.targets,
          ...(settings.simulate ? { simulate: settings.simulate } : {}),
        });
      } catch (error) {
        if (error instanceof RecordIntentError) throw new CliError(error.message, EXIT.failed);
        throw error;
      }
      let interrupted: string | undefined;
      const run = await withInterrupts((signal, abort) => {
        signal.addEventListener('abort', () => {
          interrupted = String(signal.reason);
          void session.kill();
        });
        return runPhase(session, 'apply', targets, settings, runnable, runId, progressLine, (host, event, line) => {
          const failure = records.event(host, event, line);
          if (failure) abort(failure);
        });
      });
      const recordProblems = records.finalize(run.hosts, run.stderr, interrupted);
      return reportApply({ io, hosts: run.hosts, records: records.dirs, stderr: run.stderr, ...(run.sessionError ? { sessionError: run.sessionError } : {}), ...(interrupted ? { interrupted } : {}), recordProblems, json });
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

function brief(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
