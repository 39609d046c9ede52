import { basename, join, resolve } from 'node:path';
import { renderUndoScript } from '../render/undo-script.js';
import { hostExitCode } from '../run/host-run.js';
import { RecordIntentError, runRecorded } from '../run/records/recorded-run.js';
import { compareStates, statesInEvents, type DriftReport, type StepState } from '../run/records/drift.js';
import { UndoRefusedError, verifyForUndo, type VerifiedUndo } from '../run/records/undo-check.js';
import { runPlan, type RunPlanOptions } from '../run/run-plan.js';
import { newRunId } from '../run/run-id.js';
import { CliError, COMMON_FLAGS, EXIT, type Command, type Io } from './command.js';
import { confirm, isInteractive } from './confirm.js';
import { describeEvent, requirePowerShell, RUN_FLAGS, summaryTable } from './run-common.js';
import { terminalSafe } from './terminal-safe.js';

/**
 * `rdsplan undo <record>`: verified first (src/run/records/undo-check.ts), then the host read
 * with the undo script run as -WhatIf: each step the journal names must still be as the run
 * left it (src/run/records/drift.ts), or the undo is refused unless forced with a reason. Then
 * reviewed and approved like an apply: the undo script has its own approval token, printed by
 * --dry-run and required by --approve (or typed confirmation on a terminal). The undo is a run
 * of its own with its own record, naming the run it reversed and any refusal it was forced past.
 */
function undoReview(verified: VerifiedUndo, drift: DriftReport, token: string): string {
  const { record, journal } = verified;
  const lines = [
    `Undo of run ${record.runId} of plan ${record.plan.name} on ${record.host}, newest change first:`,
    ...[...journal].reverse().map((entry) => `  ${entry.stepId} (${entry.action}): restore ${JSON.stringify(entry.undo)}`),
    drift.drifted.length === 0 ? `${record.host} is as the run left it (${verified.steps.length - drift.unchecked.length} of ${verified.steps.length} step(s) compared)` : `${record.host} changed since the run:`,
    ...drift.drifted.map((d) => `  drift: ${d}`),
    ...drift.unchecked.map((u) => `warning: ${u}`),
    ...verified.warnings.map((w) => `warning: ${w}`),
    `approval token: ${token}`,
  ];
  return `${terminalSafe(lines.join('\n'), { keepNewlines: true })}\n`;
}

/** A token given with --approve, or none off a terminal: refused before the host is even read. */
function refuseUnapproved(io: Io, flags: Record<string, unknown>, token: string): void {
  const given = flags.approve as string | undefined;
  // The right token is not printed here: it must come from the reviewed dry run.
  if (given !== undefined && given !== token) throw new CliError(`refused: ${given} is not the approval token of this undo; review it with rdsplan undo --dry-run, which prints the token. Nothing was run`, EXIT.refused);
  if (given === undefined && !isInteractive(io)) throw new CliError(`refused: undo needs --approve ${token.slice(0, 14)}… (the token rdsplan undo --dry-run prints) when not run on a terminal; nothing was run`, EXIT.refused);
}

async function approve(io: Io, flags: Record<string, unknown>, review: string, host: string): Promise<'token' | 'confirmed'> {
  if (flags.approve !== undefined) return 'token';
  io.stderr.write(review);
  if (!(await confirm(io, `\nType "undo" to restore ${terminalSafe(host)}: `, 'undo'))) throw new CliError('refused: not confirmed; nothing was run', EXIT.refused);
  return 'confirmed';
}

/** The host's current state of each step the journal names: the undo script run with -WhatIf, which changes nothing. */
async function readCurrentStates(options: Omit<RunPlanOptions, 'mode' | 'runId' | 'throttle'>, dir: string): Promise<Map<string, StepState>> {
  const run = await runPlan({ ...options, mode: 'check', runId: newRunId(), throttle: 1 });
  const host = run.hosts[0]!;
  const code = hostExitCode(host, 'check');
  if (code !== EXIT.ok && code !== EXIT.pending) {
    const why = host.error ?? host.summary?.message ?? 'no summary';
    throw new CliError(terminalSafe(`refused: ${dir}: the host could not be read before the undo (${why}); nothing was changed`), code);
  }
  return statesInEvents(host.lines.join('\n'), host.start?.runId ?? '');
}

export const undoCommand: Command = {
  spec: {
    name: 'undo',
    usage: 'rdsplan undo <run-record-dir> [--dry-run] [--approve sha256:…] [--simulate state.json] [--force --reason "…"]',
    summary: 'Verify a recorded apply (manifest, journal against its plan, backups) and that the host is as it left it, then reverse it, newest change first, with its own review and approval token. Exit 0, 1 failed, 4 refused, 5 not elevated.',
    flags: {
      ...COMMON_FLAGS,
      'dry-run': { description: 'verify, read the host (-WhatIf), show what would be restored, what changed since the run and the approval token; change nothing' },
      approve: { value: true, description: 'the approval token rdsplan undo --dry-run prints' },
      force: { description: 'undo although the host changed since the run, by a later run or by hand (needs --reason)' },
      reason: { value: true, description: 'why --force is right, kept in the undo record' },
      simulate: RUN_FLAGS.simulate!,
      timeout: RUN_FLAGS.timeout!,
    },
    positionals: { min: 1, max: 1, name: 'a run record folder' },
  },
  async run({ positionals, flags }, io) {
    if (flags.force && (typeof flags.reason !== 'string' || flags.reason.trim() === '')) throw new CliError('--force needs --reason "<why>"', EXIT.usage);
    const simulate = typeof flags.simulate === 'string' ? resolve(io.cwd, flags.simulate) : undefined;
    let verified: VerifiedUndo;
    try {
      verified = verifyForUndo(resolve(io.cwd, positionals[0]!), { ...(simulate ? { simulate } : {}), ...(flags.force ? { force: { reason: String(flags.reason) } } : {}) });
    } catch (error) {
      if (error instanceof UndoRefusedError) throw new CliError(terminalSafe(error.message), EXIT.refused);
      throw error;
    }
    const { record, journal, dir } = verified;
    if (journal.length === 0) {
      io.stdout.write(`${terminalSafe(record.host)}: run ${terminalSafe(record.runId)} left nothing to undo\n`);
      return EXIT.ok;
    }
    const source = { plan: record.plan, journal, steps: verified.steps };
    const backupDirectory = (platform: 'windows' | 'sim') => (platform === 'sim' ? verified.backupDirectory : verified.plan.options.backupDirectory);
    const render = (platform: 'windows' | 'sim') => renderUndoScript(source, backupDirectory(platform), { platform });
    const token = render('windows').approvalToken;
    const seconds = flags.timeout === undefined ? 1800 : Number(flags.timeout);
    if (!Number.isInteger(seconds) || seconds < 1) throw new CliError(`--timeout must be a whole number of seconds, not ${JSON.stringify(flags.timeout)}`, EXIT.usage);
    if (!flags['dry-run']) refuseUnapproved(io, flags, token);
    const target = verified.plan.targets.find((t) => t.computerName.toLowerCase() === record.host.toLowerCase())!;
    const powershell = await requirePowerShell(io);
    const common = {
      name: `undo-${record.plan.name}`,
      render,
      targets: [target],
      powershell,
      timeoutMs: seconds * 1000,
      ...(simulate ? { simulate, simulatedBackupRoot: join(verified.recordsRoot, 'backups') } : {}),
    };
    const drift = compareStates(verified.steps.map((step) => step.id), verified.left, await readCurrentStates(common, dir));
    const review = undoReview(verified, drift, token);
    if (flags['dry-run']) {
      io.stdout.write(review);
      if (drift.drifted.length > 0 && !flags.force) io.stdout.write(`undo would be refused: ${terminalSafe(record.host)} changed since the run; to undo anyway give --force --reason "<why>"\n`);
      return EXIT.ok;
    }
    if (drift.drifted.length > 0 && !flags.force) {
      throw new CliError(terminalSafe(`refused: ${dir}: ${record.host} changed since run ${record.runId} left it, and undoing would overwrite that: ${drift.drifted.join('; ')}. Review the host; to undo anyway give --force --reason "<why>"; nothing was run`), EXIT.refused);
    }
    const how = await approve(io, flags, review, record.host);
    const overridden = [...verified.overridden, ...drift.drifted.map((d) => `drift: ${d}`)];
    for (const warning of [...drift.unchecked, ...verified.warnings, ...drift.drifted.map((d) => `forced past drift: ${d}`)]) io.stderr.write(`warning: ${terminalSafe(warning)}\n`);
    let recorded;
    try {
      recorded = await runRecorded({
        ...common,
        mode: 'undo',
        script: render(simulate ? 'sim' : 'windows'),
        plan: verified.plan,
        planBytes: verified.planBytes,
        approval: { how, token },
        recordsRoot: verified.recordsRoot,
        undoOf: { runId: record.runId, record: basename(dir) },
        ...(flags.force ? { forced: { reason: String(flags.reason), overrode: overridden } } : {}),
        runId: newRunId(),
        throttle: 1,
        onEvent: (event) => {
          const line = describeEvent(event);
          if (line) io.stdout.write(`${line}\n`);
        },
      });
    } catch (error) {
      if (error instanceof RecordIntentError) throw new CliError(error.message, EXIT.failed);
      throw error;
    }
    const { run, records, interrupted, recordProblems } = recorded;
    io.stdout.write(`\n${summaryTable(run.hosts, (h) => hostExitCode(h, 'undo'))}`);
    for (const undoDir of records) io.stdout.write(`record: ${terminalSafe(undoDir)}\n`);
    if (run.exitCode !== EXIT.ok && run.process.stderr.trim() !== '') io.stderr.write(terminalSafe(run.process.stderr, { keepNewlines: true }));
    if (interrupted) io.stderr.write(`rdsplan: interrupted (${terminalSafe(interrupted)}); the undo record is marked incomplete\n`);
    for (const problem of recordProblems) io.stderr.write(`rdsplan: ${terminalSafe(problem)}\n`);
    return run.exitCode === EXIT.ok && !interrupted && recordProblems.length === 0 ? EXIT.ok : EXIT.failed;
  },
};
