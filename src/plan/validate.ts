import type { PlanStep, PrimitiveStep } from '../actions/types.js';
import { planSha256 } from '../shared/hash.js';
import { byPosition, hasErrors, type Diagnostic } from './diagnostics.js';
import { expandSteps } from './expand.js';
import { loadPlanBytes, type LoadedPlan } from './load.js';
import { POLICY_RULES } from './policy/index.js';
import { readPlanFile } from './read-plan-file.js';
import { schemaDiagnostics } from './schema-errors.js';
import { planValidator } from './schema-validator.js';
import { buildPlanSchema } from './schema/plan-schema.js';
import type { Plan, PlanDocument, PlanOptions, Target } from './types.js';

export const DEFAULT_OPTIONS: PlanOptions = {
  backupDirectory: 'C:\\ProgramData\\rdsplan\\backups',
  onError: 'rollback',
  reboot: 'never',
  timeoutSeconds: 1800,
};

export interface ValidationResult {
  plan?: Plan;
  diagnostics: Diagnostic[];
}

let schemaForMessages: Record<string, unknown> | undefined;

function expandOrReport(loaded: LoadedPlan, planSteps: PlanStep[]): { steps?: PrimitiveStep[]; diagnostics: Diagnostic[] } {
  try {
    return { steps: expandSteps(planSteps), diagnostics: [] };
  } catch (error) {
    // Range checks the schema cannot express (a QWord beyond 64 bits) surface while normalising.
    if (!(error instanceof RangeError)) throw error;
    const index = planSteps.findIndex((step) => {
      try {
        expandSteps([step]);
        return false;
      } catch {
        return true;
      }
    });
    const pointer = `/steps/${Math.max(index, 0)}/data`;
    return { diagnostics: [{ file: loaded.file, ...loaded.locate(pointer), pointer, severity: 'error', code: 'schema.range', message: error.message }] };
  }
}

export function validateLoaded(loaded: LoadedPlan): ValidationResult {
  if (loaded.value === undefined) return { diagnostics: loaded.diagnostics };
  const validate = planValidator();
  if (!validate(loaded.value) || hasErrors(loaded.diagnostics)) {
    // The bundle's validator is precompiled; the schema object is built only to word errors.
    schemaForMessages ??= buildPlanSchema();
    // A value the loader already faulted (an imprecise number) is not reported twice.
    const faulted = new Set(loaded.diagnostics.map((d) => d.pointer));
    const fromSchema = schemaDiagnostics(validate.errors ?? [], schemaForMessages, loaded).filter((d) => !faulted.has(d.pointer));
    return { diagnostics: [...loaded.diagnostics, ...fromSchema].sort(byPosition) };
  }
  const document = loaded.value as PlanDocument;
  const { steps, diagnostics: expansion } = expandOrReport(loaded, document.steps);
  if (!steps) return { diagnostics: expansion };

  const backupDirectory = document.options?.backupDirectory ?? DEFAULT_OPTIONS.backupDirectory;
  const findings = POLICY_RULES.flatMap((rule) => rule({ targets: document.targets, backupDirectory, planSteps: document.steps, steps }));
  const diagnostics = [
    ...loaded.diagnostics,
    ...findings.map((f) => ({ file: loaded.file, ...loaded.locate(f.pointer), ...f })),
  ].sort(byPosition);
  if (hasErrors(diagnostics)) return { diagnostics };

  const targets: Target[] = document.targets.map((t) => (typeof t === 'string' ? { computerName: t } : { ...t }));
  const plan: Plan = {
    document,
    sha256: planSha256(document),
    file: loaded.file,
    name: document.name,
    targets,
    options: { ...DEFAULT_OPTIONS, ...(document.options ?? {}) },
    planSteps: document.steps,
    steps,
  };
  return { plan, diagnostics };
}

export function validatePlanText(file: string, bytes: Uint8Array): ValidationResult {
  return validateLoaded(loadPlanBytes(file, bytes));
}

export function validatePlanFile(file: string): ValidationResult {
  const bytes = readPlanFile(file);
  if (!(bytes instanceof Uint8Array)) {
    return { diagnostics: [{ file, line: 1, column: 1, pointer: '', severity: 'error', code: bytes.code, message: bytes.reason }] };
  }
  return validatePlanText(file, bytes);
}
