import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderUndoScript } from '../render/undo-script.js';
import { checkBackups } from '../run/backup-check.js';
import { hostExitCode } from '../run/host-run.js';
import { readRunRecord, writeRunRecord, type RunRecord } from '../run/record.js';
import { scriptBytes } from '../render/script.js';
import { newRunId } from '../run/run-id.js';
import { runPlan } from '../run/run-plan.js';
import { CliError, COMMON_FLAGS, EXIT, type Command } from './command.js';
import { describeEvent, requirePowerShell, RUN_FLAGS, summaryTable } from './run-common.js';

export const undoCommand: Command = {
  spec: {
    name: 'undo',
    usage: 'rdsplan undo <run-record-dir> [--dry-run] [--simulate state.json]',
    summary: 'Reverse a recorded run from its journal (values, keys, SDDL, start modes), newest change first. Refuses when its backups changed. Exit 0, 1.',
    flags: {
      ...COMMON_FLAGS,
      'dry-run': { description: 'show what would be restored and run nothing' },
      simulate: RUN_FLAGS.simulate!,
      timeout: RUN_FLAGS.timeout!,
    },
    positionals: { min: 1, max: 1, name: 'a run record folder' },
  },
  async run({ positionals, flags }, io) {
    const dir = resolve(io.cwd, positionals[0]!);
    let record: RunRecord;
    try {
      record = readRunRecord(dir);
    } catch (error) {
      throw new CliError(`cannot read the run record in ${positionals[0]}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no record.json there' : (error as Error).message}`, EXIT.failed);
    }
    if (record.journal.length === 0) {
      io.stdout.write(`${record.host}: run ${record.runId} left nothing to undo\n`);
      return EXIT.ok;
    }
    const backups = checkBackups(record);
    if (backups.changed.length > 0) throw new CliError(`refused: the run's backups changed since it wrote them: ${backups.changed.join('; ')}`, EXIT.failed);
    for (const file of backups.unreachable) io.stderr.write(`warning: ${file} is on ${record.host} and cannot be checked from here\n`);

    const stateFile = typeof flags.simulate === 'string' ? resolve(io.cwd, flags.simulate) : record.simulated?.stateFile;
    const backupRoot = join(dirname(dirname(dir)), 'backups');
    const render = (platform: 'windows' | 'sim') => renderUndoScript(record, platform === 'sim' ? join(backupRoot, record.host) : 'C:\\ProgramData\\rdsplan\\backups', { platform });
    if (flags['dry-run']) {
      io.stdout.write(`Undo of run ${record.runId} of plan ${record.plan.name} on ${record.host}, newest change first:\n`);
      for (const entry of [...record.journal].reverse()) io.stdout.write(`  ${entry.stepId} (${entry.action}): restore ${JSON.stringify(entry.undo)}\n`);
      io.stdout.write(`script sha256: ${render('windows').scriptSha256}\n`);
      return EXIT.ok;
    }
    const powershell = await requirePowerShell(io);
    const seconds = flags.timeout === undefined ? 1800 : Number(flags.timeout);
    if (!Number.isInteger(seconds) || seconds < 1) throw new CliError(`--timeout must be a whole number of seconds, not ${JSON.stringify(flags.timeout)}`, EXIT.usage);
    const startedAt = new Date();
    const result = await runPlan({
      name: `undo-${record.plan.name}`,
      render,
      mode: 'undo',
      targets: [{ computerName: record.host }],
      powershell,
      runId: newRunId(startedAt),
      timeoutMs: seconds * 1000,
      throttle: 1,
      ...(stateFile ? { simulate: stateFile, simulatedBackupRoot: backupRoot } : {}),
      onEvent: (event) => {
        const line = describeEvent(event);
        if (line) io.stdout.write(`${line}\n`);
      },
    });
    const endedAt = new Date();
    // The undo is a run like any other: its own record, beside the one it reversed.
    const recordsRoot = dirname(dirname(dir));
    const undoRecords = result.hosts.map((hostRun) =>
      writeRunRecord({
        root: recordsRoot,
        run: hostRun,
        mode: 'undo',
        plan: record.plan,
        planText: readFileSync(join(dir, 'plan.json')),
        script: result.script,
        scriptBytes: scriptBytes(result.script),
        startedAt,
        endedAt,
        stderr: result.process.stderr,
        ...(stateFile ? { simulatedState: stateFile } : {}),
      }),
    );
    io.stdout.write(`\n${summaryTable(result.hosts, (run) => hostExitCode(run, 'undo'))}`);
    for (const undoDir of undoRecords) io.stdout.write(`record: ${undoDir}\n`);
    if (result.exitCode !== EXIT.ok && result.process.stderr.trim() !== '') io.stderr.write(result.process.stderr);
    return result.exitCode === EXIT.ok ? EXIT.ok : EXIT.failed;
  },
};
