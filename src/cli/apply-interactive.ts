import { resolve } from 'node:path';
import { applyInteractively } from '../apply/interactive.js';
import { refuseWrongToken } from '../apply/apply.js';
import { checkHostExit } from '../apply/check.js';
import { requirePowerShell, runSettings } from '../apply/settings.js';
import { readExpectedState } from '../apply/stale-check.js';
import { terminalSafe } from '../apply/terminal-safe.js';
import { buildReview } from '../render/review/model.js';
import { renderReview } from '../render/review/index.js';
import { renderScript } from '../render/script.js';
import type { ParsedArgs } from './args.js';
import { CliError, EXIT, type Io } from './command.js';
import { confirm, isInteractive } from './confirm.js';
import { requirePlan } from './plan-input.js';
import { progressReporter, runRequest, summaryTable } from './run-common.js';
import { reportApply } from './apply-report.js';
import { changeLines } from './human/change.js';
import { hostBlocks } from './human/host-steps.js';

/**
 * `rdsplan apply --interactive` (the stage: src/apply/interactive.ts). The approval rules of
 * apply hold: `--approve` must be the plan's current token (exit 4 otherwise); without it, the
 * typed confirmation is the approval, after the review is shown. Either way the confirmation
 * is asked on a terminal (io.stdin and io.stderr TTYs); elsewhere the command is refused
 * before anything runs.
 */
export async function applyInteractive({ positionals, flags }: ParsedArgs, io: Io): Promise<number> {
  const file = positionals[0]!;
  const { plan, result, bytes } = requirePlan(file, io);
  const settings = runSettings(plan, runRequest(flags, io));
  const approved = renderScript(plan);
  const order = plan.steps.map((s) => s.id);
  const token = flags.approve as string | undefined;
  refuseWrongToken(file, token, approved);
  if (!isInteractive(io)) {
    throw new CliError('refused: apply --interactive asks for confirmation on a terminal, and this is not one; use apply --approve <token> without --interactive. Nothing was run', EXIT.refused);
  }
  const expected = typeof flags['expect-state'] === 'string' ? readExpectedState(resolve(io.cwd, flags['expect-state'])) : undefined;
  if (token === undefined) {
    // Without a token the confirmation is the approval: show what is being approved first.
    io.stderr.write(renderReview(buildReview(plan, approved, result.diagnostics), 'text', { color: io.stderr.isTTY === true && (io.env.NO_COLOR ?? '') === '' }));
  }
  const powershell = await requirePowerShell(io.env);
  const json = flags.format === 'json';
  const report = json ? io.stderr : io.stdout;
  const progress = progressReporter(io, settings.targets.length);
  const outcome = await applyInteractively(
    { plan, bytes, settings, approved, how: token === undefined ? 'confirmed' : 'token', powershell, ...(expected ? { expected } : {}) },
    {
      checked(hosts) {
        report.write(`${hostBlocks(hosts, checkHostExit, order)}`);
      },
      checkFailed(hosts, stderr) {
        report.write(`\n${summaryTable(hosts, checkHostExit)}`);
        if (stderr.trim() !== '') io.stderr.write(terminalSafe(stderr.endsWith('\n') ? stderr : `${stderr}\n`, { keepNewlines: true }));
      },
      async confirm(pending) {
        const pendingHosts = new Set(pending.map((s) => s.host.toLowerCase())).size;
        report.write(`\nWould change (${pending.length} step(s) on ${pendingHosts} host(s)):\n`);
        for (const step of pending) {
          const lines = [`  ${step.host}  ${step.stepId} (${step.action})${step.target ? ` ${step.target}` : ''}`, ...changeLines(step.before, step.after).map((line) => `      ${line}`)];
          report.write(`${lines.map((line) => terminalSafe(line)).join('\n')}\n`);
        }
        return confirm(io, '\nType "apply" to continue: ', 'apply');
      },
      onEvent: (event) => progress.onEvent(event),
    },
  );
  progress.done();
  if (!outcome) {
    report.write(`\nNothing would change on ${settings.targets.length} host(s); nothing was applied.\n`);
    return EXIT.ok;
  }
  return reportApply({ io, ...outcome, json, order });
}
