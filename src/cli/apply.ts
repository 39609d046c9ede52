import { join, resolve } from 'node:path';
import { buildReview } from '../render/review/model.js';
import { renderReview } from '../render/review/index.js';
import { renderScript } from '../render/script.js';
import { newRunId } from '../run/run-id.js';
import { RecordIntentError, runRecorded } from '../run/records/recorded-run.js';
import { runPlan } from '../run/run-plan.js';
import { CliError, COMMON_FLAGS, EXIT, type Command } from './command.js';
import { confirm, isInteractive } from './confirm.js';
import { requirePlan } from './plan-input.js';
import { describeEvent, progressReporter, requirePowerShell, RUN_FLAGS, runSettings } from './run-common.js';
import { reportApply } from './apply-report.js';
import { readSavedCheck, staleness } from './stale-check.js';

export const applyCommand: Command = {
  spec: {
    name: 'apply',
    usage: 'rdsplan apply <plan.json> --approve sha256:… [--target host]… [--simulate state.json|dir] [--expect-state check.json]',
    summary: 'Run the plan exactly as approved: refuses (exit 4) a token that is not the plan\'s current approval token. Writes a run record per host. Exit 0, 1 failed, 4 refused.',
    flags: {
      ...COMMON_FLAGS,
      ...RUN_FLAGS,
      approve: { value: true, description: 'the approval token from rdsplan review' },
      'expect-state': { value: true, description: 'output of rdsplan check --format json; abort when a host changed since' },
      interactive: { description: 'check, confirm and apply in one PowerShell session' },
    },
    positionals: { min: 1, max: 1, name: 'a plan file' },
  },
  async run({ positionals, flags }, io) {
    if (flags.interactive) return (await import('./apply-interactive.js')).applyInteractive({ positionals, flags }, io);
    const file = positionals[0]!;
    const { plan, result, bytes } = requirePlan(file, io);
    const settings = runSettings(plan, flags, io);
    const approved = renderScript(plan);
    const token = flags.approve as string | undefined;
    if (token === undefined) {
      if (!isInteractive(io)) throw new CliError(`refused: apply needs --approve ${approved.approvalToken.slice(0, 14)}… (the token rdsplan review prints) when not run on a terminal; nothing was run`, EXIT.refused);
      io.stderr.write(renderReview(buildReview(plan, approved, result.diagnostics), 'text', { color: io.stderr.isTTY === true && (io.env.NO_COLOR ?? '') === '' }));
      if (!(await confirm(io, `\nType "apply" to run this plan on ${settings.targets.length} host(s): `, 'apply'))) throw new CliError('refused: not confirmed; nothing was run', EXIT.refused);
    } else if (token !== approved.approvalToken) {
      throw new CliError(`refused: ${token} is not the approval token of ${file} as it is now: the plan, the tool version or the script changed since the review. Review it again (rdsplan review prints the token). Nothing was run`, EXIT.refused);
    }

    const powershell = await requirePowerShell(io);
    const simulated = settings.simulate ? { simulate: settings.simulate, simulatedBackupRoot: join(settings.recordsRoot, 'backups') } : {};
    const approval = { how: token === undefined ? ('confirmed' as const) : ('token' as const), token: approved.approvalToken };
    const common = { name: plan.name, render: (platform: 'windows' | 'sim') => renderScript(plan, { platform }), targets: settings.targets, powershell, timeoutMs: settings.timeoutMs, throttle: settings.throttle, ...simulated };

    if (typeof flags['expect-state'] === 'string') {
      let saved;
      try {
        saved = readSavedCheck(resolve(io.cwd, flags['expect-state']));
      } catch (error) {
        throw new CliError(`cannot use --expect-state: ${(error as Error).message}`, EXIT.usage);
      }
      const fresh = await runPlan({ ...common, mode: 'check', runId: newRunId() });
      const stale = staleness(saved, approved.approvalToken, fresh.hosts, settings.targets);
      if (stale) throw new CliError(`refused: ${stale}; review and check again. Nothing was run`, EXIT.refused);
    }

    const json = flags.format === 'json';
    const progress = progressReporter(io, settings.targets.length);
    let recorded;
    try {
      recorded = await runRecorded({
        ...common,
        mode: 'apply',
        runId: newRunId(),
        script: renderScript(plan, { platform: settings.simulate ? 'sim' : 'windows' }),
        plan,
        planBytes: bytes,
        approval,
        recordsRoot: settings.recordsRoot,
        onEvent: (event) => {
          progress.onEvent(event);
          const line = json ? null : describeEvent(event);
          if (line && settings.targets.length === 1) io.stdout.write(`${line}\n`);
        },
      });
    } catch (error) {
      if (error instanceof RecordIntentError) throw new CliError(error.message, EXIT.failed);
      throw error;
    }
    progress.done();
    const { run, records, interrupted, recordProblems } = recorded;
    return reportApply({ io, hosts: run.hosts, records, stderr: run.process.stderr, ...(interrupted ? { interrupted } : {}), recordProblems, json });
  },
};
