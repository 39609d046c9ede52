import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plan } from '../plan/types.js';
import { scriptBytes, type RenderedScript } from '../render/script.js';
import { hostExitCode, worstExitCode, type HostRun } from '../run/host-run.js';
import { writeRunRecord } from '../run/record.js';
import { EXIT, type Io } from './command.js';
import { summaryTable, type RunSettings } from './run-common.js';

/**
 * The end of every apply, batch or interactive: one run record per host, then the summary
 * (table or JSON) and the exit code of the worst host.
 */
export interface ApplyReport {
  io: Io;
  plan: Plan;
  file: string;
  script: RenderedScript;
  approvedToken: string;
  settings: RunSettings;
  hosts: HostRun[];
  stderr: string;
  /** Set when an interactive session died during the apply. */
  sessionError?: string;
  startedAt: Date;
  endedAt: Date;
  json: boolean;
}

export function reportApply(report: ApplyReport): number {
  const { io, plan, file, script, approvedToken, settings, hosts, stderr, startedAt, endedAt, json } = report;
  const planText = readFileSync(resolve(io.cwd, file));
  const records = hosts.map((hostRun) =>
    writeRunRecord({
      root: settings.recordsRoot,
      run: hostRun,
      mode: 'apply',
      plan,
      planText,
      script,
      scriptBytes: scriptBytes(script),
      startedAt,
      endedAt,
      stderr,
      ...(settings.simulate ? { simulatedState: settings.simulate } : {}),
      approvedToken,
    }),
  );
  const exitOf = (hostRun: HostRun) => hostExitCode(hostRun, 'apply');
  const exitCode = worstExitCode(hosts.map(exitOf));
  if (json) {
    io.stdout.write(`${JSON.stringify({ formatVersion: 1, exitCode, hosts: hosts.map((h, i) => ({ host: h.host, exitCode: exitOf(h), summary: h.summary ?? null, error: h.error ?? null, record: records[i] })) }, null, 2)}\n`);
  } else {
    io.stdout.write(`\n${summaryTable(hosts, exitOf)}`);
    for (const dir of records) io.stdout.write(`record: ${dir}\n`);
  }
  if (exitCode !== EXIT.ok && stderr.trim() !== '') io.stderr.write(stderr.endsWith('\n') ? stderr : `${stderr}\n`);
  if (report.sessionError) io.stderr.write(`rdsplan: ${report.sessionError}\n`);
  return exitCode;
}
