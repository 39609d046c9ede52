import { resolve } from 'node:path';
import { requirePowerShell } from '../apply/settings.js';
import { terminalSafe } from '../apply/terminal-safe.js';
import { prepareUndo, readDrift, refuseDrift, refuseUnapproved, runUndo, undoExitCode, undoHostExit, undoSources, undoStateFile, undoToken, undoWarnings, type PreparedUndo, type UndoOutcome } from '../apply/undo.js';
import type { DriftReport } from '../run/records/drift.js';
import { CliError, COMMON_FLAGS, EXIT, type Command, type Io } from './command.js';
import { confirm, isInteractive } from './confirm.js';
import { overallLine } from './human/fleet-summary.js';
import { hostBlocks } from './human/host-steps.js';
import { journalLines } from './human/undo-journal.js';
import { RUN_FLAGS, summaryTable } from './run-common.js';

/** `rdsplan undo <record>|<run id>` (the stage: src/apply/undo.ts): the undo's review, the question, the report. */
function hostReview({ verified }: PreparedUndo, drift: DriftReport): string[] {
  const { record, journal } = verified;
  return [
    `Undo of run ${record.runId} of plan ${record.plan.name} on ${record.host}, newest change first:`,
    ...journalLines(journal),
    drift.drifted.length === 0 ? `${record.host} is as the run left it (${verified.steps.length - drift.unchecked.length} of ${verified.steps.length} step(s) compared)` : `${record.host} changed since the run:`,
    ...drift.drifted.map((d) => `  drift: ${d}`),
    ...drift.unchecked.map((u) => `warning: ${u}`),
    ...verified.warnings.map((w) => `warning: ${w}`),
  ];
}

function undoReview(hosts: { prepared: PreparedUndo; drift: DriftReport }[]): string {
  const lines = [...hosts.flatMap(({ prepared, drift }, i) => [...(i > 0 ? [''] : []), ...hostReview(prepared, drift)]), `approval token: ${undoToken(hosts.map((h) => h.prepared))}`];
  return `${terminalSafe(lines.join('\n'), { keepNewlines: true })}\n`;
}

async function approve(io: Io, given: string | undefined, review: string, hosts: string[]): Promise<'token' | 'confirmed'> {
  if (given !== undefined) return 'token';
  io.stderr.write(review);
  if (!(await confirm(io, `\nType "undo" to restore ${terminalSafe(hosts.join(', '))}: `, 'undo'))) throw new CliError('refused: not confirmed; nothing was run', EXIT.refused);
  return 'confirmed';
}

export const undoCommand: Command = {
  spec: {
    name: 'undo',
    usage: 'rdsplan undo <run-record-dir | run id> [--dry-run] [--approve sha256:…] [--simulate state.json|dir] [--records dir] [--force --reason "…"]',
    summary: 'Verify a recorded apply (manifest, journal against its plan, backups) and that the host is as it left it, then reverse it, newest change first, with its own review and approval token. A run id undoes every host of that (fleet) run. Exit 0, 1 failed, 4 refused, 5 not elevated.',
    flags: {
      ...COMMON_FLAGS,
      'dry-run': { description: 'verify, read the host (-WhatIf), show what would be restored, what changed since the run and the approval token; change nothing' },
      approve: { value: true, description: 'the approval token rdsplan undo --dry-run prints' },
      force: { description: 'undo although the host changed since the run, by a later run or by hand (needs --reason)' },
      reason: { value: true, description: 'why --force is right, kept in the undo record' },
      simulate: RUN_FLAGS.simulate!,
      records: RUN_FLAGS.records!,
      timeout: RUN_FLAGS.timeout!,
    },
    positionals: { min: 1, max: 1, name: 'a run record folder or a run id' },
  },
  async run({ positionals, flags }, io) {
    if (flags.force && (typeof flags.reason !== 'string' || flags.reason.trim() === '')) throw new CliError('--force needs --reason "<why>"', EXIT.usage);
    const source = positionals[0]!;
    const simulate = typeof flags.simulate === 'string' ? resolve(io.cwd, flags.simulate) : undefined;
    const dirs = undoSources(io.cwd, source, typeof flags.records === 'string' ? flags.records : undefined);
    const fleet = dirs.length > 1;
    const force = flags.force ? { force: { reason: String(flags.reason) } } : {};
    const all = dirs.map((dir) => {
      const state = undoStateFile(simulate, dir, fleet);
      return prepareUndo(dir, { ...(state ? { simulate: state } : {}), ...force });
    });
    for (const { verified } of all) {
      if (verified.journal.length === 0) io.stdout.write(`${terminalSafe(verified.record.host)}: run ${terminalSafe(verified.record.runId)} left nothing to undo\n`);
    }
    const prepared = all.filter(({ verified }) => verified.journal.length > 0);
    if (prepared.length === 0) return EXIT.ok;
    const seconds = flags.timeout === undefined ? 1800 : Number(flags.timeout);
    if (!Number.isInteger(seconds) || seconds < 1) throw new CliError(`--timeout must be a whole number of seconds, not ${JSON.stringify(flags.timeout)}`, EXIT.usage);
    const given = flags.approve as string | undefined;
    if (!flags['dry-run']) refuseUnapproved(prepared, given, isInteractive(io), source);
    const powershell = await requirePowerShell(io.env);
    const timeoutMs = seconds * 1000;
    const hosts: { prepared: PreparedUndo; drift: DriftReport }[] = [];
    for (const p of prepared) hosts.push({ prepared: p, drift: await readDrift(p, powershell, timeoutMs) });
    const review = undoReview(hosts);
    if (flags['dry-run']) {
      io.stdout.write(review);
      for (const { prepared: p, drift } of hosts) {
        if (drift.drifted.length > 0 && !flags.force) io.stdout.write(`undo would be refused: ${terminalSafe(p.verified.record.host)} changed since the run; to undo anyway give --force --reason "<why>"\n`);
      }
      return EXIT.ok;
    }
    // Every host is checked before any is restored: a fleet is undone whole or not at all.
    for (const { prepared: p, drift } of hosts) refuseDrift(p, drift);
    const how = await approve(
      io,
      given,
      review,
      hosts.map((h) => h.prepared.verified.record.host),
    );
    for (const { prepared: p, drift } of hosts) for (const warning of undoWarnings(p, drift)) io.stderr.write(`warning: ${terminalSafe(fleet ? `${p.verified.record.host}: ${warning}` : warning)}\n`);
    const outcomes: UndoOutcome[] = [];
    for (const { prepared: p, drift } of hosts) {
      const outcome = await runUndo(p, drift, {
        how,
        powershell,
        timeoutMs,
        // Each host's steps are printed as one block once every host is done.
        onEvent: () => {},
      });
      outcomes.push(outcome);
      if (outcome.interrupted) break;
    }
    // The undo's steps run newest change first: that is its plan order, kept as reported.
    const undone = outcomes.flatMap((o) => o.hosts);
    io.stdout.write(`${hostBlocks(undone, undoHostExit)}\n${summaryTable(undone, undoHostExit)}${overallLine(undone, hosts.length > outcomes.length ? EXIT.failed : undoExitCode(outcomes))}`);
    for (const o of outcomes) for (const undoDir of o.records) io.stdout.write(`record: ${terminalSafe(undoDir)}\n`);
    for (const o of outcomes) {
      if (o.runExitCode !== EXIT.ok && o.stderr.trim() !== '') io.stderr.write(terminalSafe(o.stderr, { keepNewlines: true }));
      if (o.interrupted) io.stderr.write(`rdsplan: interrupted (${terminalSafe(o.interrupted)}); the undo record is marked incomplete\n`);
      for (const problem of o.recordProblems) io.stderr.write(`rdsplan: ${terminalSafe(problem)}\n`);
    }
    const skipped = hosts.slice(outcomes.length).map((h) => h.prepared.verified.record.host);
    if (skipped.length > 0) io.stderr.write(`rdsplan: not undone after the interruption: ${terminalSafe(skipped.join(', '))}\n`);
    return skipped.length > 0 ? EXIT.failed : undoExitCode(outcomes);
  },
};
