import { checkHostExit as exitOf, checkPlan } from '../apply/check.js';
import { requirePowerShell, runSettings } from '../apply/settings.js';
import { COMMON_FLAGS, type Command } from './command.js';
import { requirePlan } from './plan-input.js';
import { overallLine } from './human/fleet-summary.js';
import { hostBlocks } from './human/host-steps.js';
import { progressReporter, RUN_FLAGS, runRequest, summaryTable } from './run-common.js';

export const checkCommand: Command = {
  spec: {
    name: 'check',
    usage: 'rdsplan check <plan.json> [--target host]… [--simulate state.json|dir] [--format text|json]',
    summary: 'Live what-if on the targets (read-only): per step unchanged or wouldChange with before -> after. Exit 0 in the desired state, 3 changes pending, 1 failed.',
    flags: { ...COMMON_FLAGS, ...RUN_FLAGS },
    positionals: { min: 1, max: 1, name: 'a plan file' },
  },
  async run({ positionals, flags }, io) {
    const { plan } = requirePlan(positionals[0]!, io);
    const settings = runSettings(plan, runRequest(flags, io));
    const powershell = await requirePowerShell(io.env);
    const json = flags.format === 'json';
    const progress = progressReporter(io, settings.targets.length);
    const { runId, run: result, approvalToken } = await checkPlan(plan, settings, powershell, (event) => progress.onEvent(event));
    progress.done();
    if (json) {
      const hosts = result.hosts.map((run) => ({ host: run.host, exitCode: exitOf(run), summary: run.summary ?? null, error: run.error ?? null, steps: run.steps }));
      io.stdout.write(`${JSON.stringify({ formatVersion: 1, plan: { name: plan.name, sha256: plan.sha256 }, approvalToken, runId, exitCode: result.exitCode, hosts }, null, 2)}\n`);
    } else {
      // Printed when every host is done: a fleet's hosts one block each, never interleaved.
      io.stdout.write(`${hostBlocks(result.hosts, exitOf, plan.steps.map((s) => s.id))}\n${summaryTable(result.hosts, exitOf)}${overallLine(result.hosts, result.exitCode)}`);
    }
    if (result.process.stderr.trim() !== '' && result.exitCode !== 0) io.stderr.write(result.process.stderr.endsWith('\n') ? result.process.stderr : `${result.process.stderr}\n`);
    return result.exitCode;
  },
};
