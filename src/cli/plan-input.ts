import { formatDiagnostic } from '../plan/diagnostics.js';
import type { Plan } from '../plan/types.js';
import { validatePlanFile, type ValidationResult } from '../plan/validate.js';
import { CliError, EXIT, type Io } from './command.js';

/** Loads and validates a plan for a command that needs a valid one; errors end the command with exit 2. */
export function requirePlan(file: string, io: Io): { plan: Plan; result: ValidationResult } {
  const result = validatePlanFile(file);
  for (const d of result.diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
  if (!result.plan) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw new CliError(`${file}: ${errors} error${errors === 1 ? '' : 's'}; nothing was rendered`, EXIT.invalid);
  }
  return { plan: result.plan, result };
}
