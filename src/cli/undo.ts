import { basename, join, resolve } from 'node:path';
import { renderUndoScript } from '../render/undo-script.js';
import { hostExitCode } from '../run/host-run.js';
import { RecordIntentError, runRecorded } from '../run/records/recorded-run.js';
import { UndoRefusedError, verifyForUndo, type VerifiedUndo } from '../run/records/undo-check.js';
import { newRunId } from '../run/run-id.js';
import { CliError, COMMON_FLAGS, EXIT, type Command, type Io } from './command.js';
import { confirm, isInteractive } from './confirm.js';
import { describeEvent, requirePowerShell, RUN_FLAGS, summaryTable } from './run-common.js';
import { terminalSafe } from './terminal-safe.js';

/**
 * `rdsplan undo <record>`: verified first (src/run/records/undo-check.ts), then reviewed and
 * approved like an apply: the undo script has its own approval token, printed by --dry-run
 * and required by --approve (or typed confirmation on a terminal). The undo is a run of its
 * own with its own record, naming the run it reversed.
 */
function undoReview(verified: VerifiedUndo, token: string): string {
  const { record, journal } = verified;
  const lines = [
    `Undo of run ${record.runId} of plan ${record.plan.name} on ${record.host}, newest change first:`,
    ...[...journal].reverse().map((entry) => `  ${entry.stepId} (${entry.action}): restore ${JSON.stringify(entry.undo)}`),
    ...verified.warnings.map((w) => `warning: ${w}`),
    `approval token: ${token}`,
  ];
  return `${terminalSafe(lines.join('\n'), { keepNewlines: true })}\n`;
}

async function approve(io: Io, flags: Record<string, unknown>, verified: VerifiedUndo, token: string): Promise<'token' | 'confirmed'> {
  const given = flags.approve as string | undefined;
  if (given !== undefined) {
    // The right token is not printed here: it must come from the reviewed dry run.
    if (given !== token) throw new CliError(`refused: ${given} is not the approval token of this undo; review it with rdsplan undo --dry-run, which prints the token. Nothing was run`, EXIT.refused);
    return 'token';
  }
  if (!isInteractive(io)) throw new CliError(`refused: undo needs --approve ${token.slice(0, 14)}… (the token rdsplan undo --dry-run prints) when not run on a terminal; nothing was run`, EXIT.refused);
  io.stderr.write(undoReview(verified, token));
  if (!(await confirm(io, `\nType "undo" to restore ${verified.record.host}: `, 'undo'))) throw new CliError('refused: not confirmed; nothing was run', EXIT.refused);
  return 'confirmed';
}

export const undoCommand: Command = {
  spec: {
    name: 'undo',
    usage: 'rdsplan undo <run-record-dir> [--dry-run] [--approve sha256:…] [--simulate state.json] [--force --reason "…"]',
    summary: 'Verify a recorded apply (manifest, journal against its plan, backups), then reverse it, newest change first, with its own review and approval token. Exit 0, 1 failed, 4 refused.',
    flags: {
      ...COMMON_FLAGS,
      'dry-run': { description: 'verify, show what would be restored and the approval token, run nothing' },
      approve: { value: true, description: 'the approval token rdsplan undo --dry-run prints' },
      force: { description: 'undo although a later run changed the host (needs --reason)' },
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
    const source = { plan: record.plan, journal };
    const backupDirectory = (platform: 'windows' | 'sim') => (platform === 'sim' ? verified.backupDirectory : verified.plan.options.backupDirectory);
    const token = renderUndoScript(source, backupDirectory('windows')).approvalToken;
    if (flags['dry-run']) {
      io.stdout.write(undoReview(verified, token));
      return EXIT.ok;
    }
    const how = await approve(io, flags, verified, token);
    for (const warning of verified.warnings) io.stderr.write(`warning: ${terminalSafe(warning)}\n`);
    const powershell = await requirePowerShell(io);
    const seconds = flags.timeout === undefined ? 1800 : Number(flags.timeout);
    if (!Number.isInteger(seconds) || seconds < 1) throw new CliError(`--timeout must be a whole number of seconds, not ${JSON.stringify(flags.timeout)}`, EXIT.usage);
    const platform = simulate ? 'sim' : 'windows';
    let recorded;
    try {
      recorded = await runRecorded({
        name: `undo-${record.plan.name}`,
        mode: 'undo',
        script: renderUndoScript(source, backupDirectory(platform), { platform }),
        plan: verified.plan,
        planBytes: verified.planBytes,
        approval: { how, token },
        recordsRoot: verified.recordsRoot,
        undoOf: { runId: record.runId, record: basename(dir) },
        targets: [{ computerName: record.host }],
        powershell,
        runId: newRunId(),
        timeoutMs: seconds * 1000,
        throttle: 1,
        ...(simulate ? { simulate, simulatedBackupRoot: join(verified.recordsRoot, 'backups') } : {}),
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
