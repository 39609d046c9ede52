import { readFileSync } from 'node:fs';
import { formatDiagnostic } from '../plan/diagnostics.js';
import type { Plan } from '../plan/types.js';
import { validatePlanFile, validatePlanText, type ValidationResult } from '../plan/validate.js';
import { CliError, EXIT, type Io } from './command.js';

/**
 * Loads and validates a plan for a command that needs a valid one; errors end the command with
 * exit 2. The file is read once: `bytes` are exactly what was validated (the run record keeps
 * them; the file is never read again, so moving or swapping it during a run changes nothing).
 */
export function requirePlan(file: string, io: Io): { plan: Plan; result: ValidationResult; bytes: Uint8Array } {
  let bytes: Uint8Array | undefined;
  try {
    bytes = readFileSync(file);
  } catch {
    // validatePlanFile words the read error
  }
  const result = bytes ? validatePlanText(file, bytes) : validatePlanFile(file);
  for (const d of result.diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
  if (!result.plan || !bytes) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw new CliError(`${file}: ${errors} error${errors === 1 ? '' : 's'}; nothing was rendered`, EXIT.invalid);
  }
  return { plan: result.plan, result, bytes };
}
