import { formatDiagnostic, hasErrors } from '../plan/diagnostics.js';
import { validatePlanFile } from '../plan/validate.js';
import { COMMON_FLAGS, EXIT, FORMAT_FLAG, type Command } from './command.js';

export const validateCommand: Command = {
  spec: {
    name: 'validate',
    usage: 'rdsplan validate <plan.json>… [--format text|json]',
    summary: 'Check plans against the schema and the policy rules. Exit 0 when all are valid, 2 otherwise.',
    flags: { ...COMMON_FLAGS, format: FORMAT_FLAG },
    positionals: { min: 1, max: Infinity, name: 'one or more plan files' },
  },
  async run({ positionals, flags }, io) {
    const results = positionals.map((file) => ({ file, ...validatePlanFile(file) }));
    if (flags.format === 'json') {
      const report = results.map(({ file, plan, diagnostics }) => ({ file, valid: plan !== undefined, steps: plan?.steps.length ?? 0, diagnostics }));
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const { file, plan, diagnostics } of results) {
        for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
        if (plan) io.stdout.write(`${file}: valid (${plan.planSteps.length} steps, ${plan.steps.length} after expansion)\n`);
      }
    }
    return results.some((r) => !r.plan || hasErrors(r.diagnostics)) ? EXIT.invalid : EXIT.ok;
  },
};
