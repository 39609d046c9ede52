import { resolve } from 'node:path';
import { applyPlan, refuseNoToken, refuseWrongToken } from '../apply/apply.js';
import { requirePowerShell, runSettings } from '../apply/settings.js';
import { readExpectedState } from '../apply/stale-check.js';
import { buildReview } from '../render/review/model.js';
import { renderReview } from '../render/review/index.js';
import { renderScript } from '../render/script.js';
import { CliError, COMMON_FLAGS, EXIT, type Command } from './command.js';
import { confirm, isInteractive } from './confirm.js';
import { requirePlan } from './plan-input.js';
import { progressReporter, RUN_FLAGS, runRequest } from './run-common.js';
import { reportApply } from './apply-report.js';

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
    const settings = runSettings(plan, runRequest(flags, io));
    const approved = renderScript(plan);
    const token = flags.approve as string | undefined;
    if (token === undefined) {
      if (!isInteractive(io)) refuseNoToken(file);
      io.stderr.write(renderReview(buildReview(plan, approved, result.diagnostics), 'text', { color: io.stderr.isTTY === true && (io.env.NO_COLOR ?? '') === '' }));
      if (!(await confirm(io, `\nType "apply" to run this plan on ${settings.targets.length} host(s): `, 'apply'))) throw new CliError('refused: not confirmed; nothing was run', EXIT.refused);
    }
    refuseWrongToken(file, token, approved);

    const powershell = await requirePowerShell(io.env);
    const expected = typeof flags['expect-state'] === 'string' ? readExpectedState(resolve(io.cwd, flags['expect-state'])) : undefined;
    const json = flags.format === 'json';
    const progress = progressReporter(io, settings.targets.length);
    const outcome = await applyPlan({
      plan,
      bytes,
      settings,
      approved,
      how: token === undefined ? 'confirmed' : 'token',
      powershell,
      ...(expected ? { expected } : {}),
      onEvent: (event) => progress.onEvent(event),
    });
    progress.done();
    return reportApply({ io, ...outcome, json, order: plan.steps.map((s) => s.id) });
  },
};
