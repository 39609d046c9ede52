import { formatDiagnostic, hasErrors } from '../plan/diagnostics.js';
import { validatePlanFile } from '../plan/validate.js';
import { COMMON_FLAGS, EXIT, FORMAT_FLAG, type Command } from './command.js';
import { expandPlanArguments } from './plan-arguments.js';

export const validateCommand: Command = {
  spec: {
    name: 'validate',
    usage: 'rdsplan validate <plan.json|folder|wildcard>… [--format text|json]',
    summary: 'Check plans against the schema and the policy rules. Takes files, folders (every *.json inside) and wildcards such as plans\\*.json, which it expands itself. Exit 0 when all are valid, 2 otherwise.',
    flags: { ...COMMON_FLAGS, format: FORMAT_FLAG },
    positionals: { min: 1, max: Infinity, name: 'one or more plan files, folders or wildcards' },
  },
  async run({ positionals, flags }, io) {
    const results = expandPlanArguments(positionals, io.cwd).map((entry) =>
      'problem' in entry
        ? { file: entry.file, plan: undefined, diagnostics: [{ file: entry.file, line: 1, column: 1, pointer: '', severity: 'error' as const, code: 'load.read', message: entry.problem }] }
        : { file: entry.file, ...validatePlanFile(entry.file, entry.path) },
    );
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
