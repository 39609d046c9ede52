import { resolve } from 'node:path';
import { requirePowerShell } from '../apply/settings.js';
import { terminalSafe } from '../apply/terminal-safe.js';
import { prepareUndo, readDrift, refuseDrift, refuseUnapproved, runUndo, undoHostExit, undoWarnings, type PreparedUndo } from '../apply/undo.js';
import type { DriftReport } from '../run/records/drift.js';
import { CliError, COMMON_FLAGS, EXIT, type Command, type Io } from './command.js';
import { confirm, isInteractive } from './confirm.js';
import { describeEvent, RUN_FLAGS, summaryTable } from './run-common.js';

/** `rdsplan undo <record>` (the stage: src/apply/undo.ts): the undo's review, the question, the report. */
function undoReview({ verified, token }: PreparedUndo, drift: DriftReport): string {
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

async function approve(io: Io, given: string | undefined, review: string, host: string): Promise<'token' | 'confirmed'> {
  if (given !== undefined) return 'token';
  io.stderr.write(review);
  if (!(await confirm(io, `\nType "undo" to restore ${terminalSafe(host)}: `, 'undo'))) throw new CliError('refused: not confirmed; nothing was run', EXIT.refused);
  return 'confirmed';
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
    const prepared = prepareUndo(resolve(io.cwd, positionals[0]!), { ...(simulate ? { simulate } : {}), ...(flags.force ? { force: { reason: String(flags.reason) } } : {}) });
    const { record, journal } = prepared.verified;
    if (journal.length === 0) {
      io.stdout.write(`${terminalSafe(record.host)}: run ${terminalSafe(record.runId)} left nothing to undo\n`);
      return EXIT.ok;
    }
    const seconds = flags.timeout === undefined ? 1800 : Number(flags.timeout);
    if (!Number.isInteger(seconds) || seconds < 1) throw new CliError(`--timeout must be a whole number of seconds, not ${JSON.stringify(flags.timeout)}`, EXIT.usage);
    const given = flags.approve as string | undefined;
    if (!flags['dry-run']) refuseUnapproved(prepared, given, isInteractive(io));
    const powershell = await requirePowerShell(io.env);
    const timeoutMs = seconds * 1000;
    const drift = await readDrift(prepared, powershell, timeoutMs);
    const review = undoReview(prepared, drift);
    if (flags['dry-run']) {
      io.stdout.write(review);
      if (drift.drifted.length > 0 && !flags.force) io.stdout.write(`undo would be refused: ${terminalSafe(record.host)} changed since the run; to undo anyway give --force --reason "<why>"\n`);
      return EXIT.ok;
    }
    refuseDrift(prepared, drift);
    const how = await approve(io, given, review, record.host);
    for (const warning of undoWarnings(prepared, drift)) io.stderr.write(`warning: ${terminalSafe(warning)}\n`);
    const outcome = await runUndo(prepared, drift, {
      how,
      powershell,
      timeoutMs,
      onEvent: (event) => {
        const line = describeEvent(event);
        if (line) io.stdout.write(`${line}\n`);
      },
    });
    io.stdout.write(`\n${summaryTable(outcome.hosts, undoHostExit)}`);
    for (const undoDir of outcome.records) io.stdout.write(`record: ${terminalSafe(undoDir)}\n`);
    if (outcome.runExitCode !== EXIT.ok && outcome.stderr.trim() !== '') io.stderr.write(terminalSafe(outcome.stderr, { keepNewlines: true }));
    if (outcome.interrupted) io.stderr.write(`rdsplan: interrupted (${terminalSafe(outcome.interrupted)}); the undo record is marked incomplete\n`);
    for (const problem of outcome.recordProblems) io.stderr.write(`rdsplan: ${terminalSafe(problem)}\n`);
    return outcome.exitCode;
  },
};
