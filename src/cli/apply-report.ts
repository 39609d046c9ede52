import { applyExitCode, applyHostExit as exitOf, EXIT, type ApplyOutcome } from '../apply/outcome.js';
import { terminalSafe } from '../apply/terminal-safe.js';
import type { Io } from './command.js';
import { overallLine } from './human/fleet-summary.js';
import { hostBlocks } from './human/host-steps.js';
import { summaryTable } from './run-common.js';

/**
 * The end of every apply, batch or interactive: each host's steps in plan order (text), the
 * summary (table or JSON) with the record
 * folder of each host (written by the run stage, src/run/records/), and the exit code the
 * stage gives the outcome (src/apply/outcome.ts).
 */
export interface ApplyReport extends ApplyOutcome {
  io: Io;
  json: boolean;
  /** The plan's step ids: the order a host's steps are shown in. */
  order: readonly string[];
}

export function reportApply(report: ApplyReport): number {
  const { io, hosts, records, stderr, json } = report;
  const exitCode = applyExitCode(report);
  if (json) {
    io.stdout.write(`${JSON.stringify({ formatVersion: 1, exitCode, hosts: hosts.map((h, i) => ({ host: h.host, exitCode: exitOf(h), summary: h.summary ?? null, error: h.error ?? null, record: records[i] })) }, null, 2)}\n`);
  } else {
    io.stdout.write(`${hostBlocks(hosts, exitOf, report.order)}\n${summaryTable(hosts, exitOf)}${overallLine(hosts, exitCode)}`);
    for (const dir of records) io.stdout.write(`record: ${terminalSafe(dir)}\n`);
  }
  if (exitCode !== EXIT.ok && stderr.trim() !== '') io.stderr.write(terminalSafe(stderr.endsWith('\n') ? stderr : `${stderr}\n`, { keepNewlines: true }));
  if (report.sessionError) io.stderr.write(`rdsplan: ${terminalSafe(report.sessionError)}\n`);
  if (report.interrupted) io.stderr.write(`rdsplan: interrupted (${terminalSafe(report.interrupted)}): the PowerShell process tree was killed; the record is marked incomplete and undo can use its journal\n`);
  for (const problem of report.recordProblems) io.stderr.write(`rdsplan: ${terminalSafe(problem)}\n`);
  return exitCode;
}
