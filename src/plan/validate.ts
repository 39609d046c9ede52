import type { PlanStep, PrimitiveStep } from '../actions/types.js';
import { planSha256 } from '../shared/hash.js';
import { byPosition, hasErrors, type Diagnostic } from './diagnostics.js';
import { expandSteps } from './expand.js';
import { loadPlanBytes, type LoadedPlan } from './load.js';
import { POLICY_RULES, SCOPED_RULES } from './policy/index.js';
import type { PolicyFinding, PolicyInput } from './policy/types.js';
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

/** A pointer's value or anything inside it has a diagnostic. */
function faultedUnder(faults: readonly Diagnostic[], pointer: string): boolean {
  return faults.some((d) => d.pointer === pointer || d.pointer.startsWith(`${pointer}/`));
}

/** Expansion of schema-valid steps; undefined when a range check fails (validateLoaded reports that one). */
function expandQuietly(planSteps: PlanStep[]): PrimitiveStep[] | undefined {
  try {
    return expandSteps(planSteps);
  } catch {
    return undefined;
  }
}

/** The primitives of one step, with pointers at its place in the plan. */
function expandAt(step: PlanStep, index: number): PrimitiveStep[] | undefined {
  return expandQuietly([step])?.map((p) => ({ ...p, pointer: p.pointer.replace(/^\/steps\/0(?=\/|$)/, `/steps/${index}`) }));
}

/**
 * The policy findings a plan the schema faulted certainly has, so that an administrator fixes
 * schema and policy errors in one round: each rule runs on the parts it can judge (SCOPED_RULES).
 */
function policyOnSoundParts(value: unknown, faults: readonly Diagnostic[]): PolicyFinding[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const document = value as Partial<Record<'steps' | 'targets' | 'options', unknown>>;
  const raw = Array.isArray(document.steps) ? (document.steps as PlanStep[]) : [];
  const sound = raw.map((_, index) => !faultedUnder(faults, `/steps/${index}`));
  const firstFault = sound.indexOf(false);
  const earlier = firstFault < 0 ? raw : raw.slice(0, firstFault);
  const targets = Array.isArray(document.targets) ? (document.targets as PolicyInput['targets']) : undefined;
  const options = document.options as { backupDirectory?: unknown } | undefined;
  const backupDirectory = faultedUnder(faults, '/options') ? undefined : typeof options?.backupDirectory === 'string' ? options.backupDirectory : DEFAULT_OPTIONS.backupDirectory;

  return SCOPED_RULES.flatMap(({ rule, reads, options: needsOptions }) => {
    if (needsOptions && backupDirectory === undefined) return [];
    const base = { ...(backupDirectory !== undefined ? { backupDirectory } : {}) };
    switch (reads) {
      case 'targets':
        return targets ? rule({ ...base, targets, planSteps: [], steps: [] }) : [];
      case 'ids':
        return rule({ ...base, planSteps: raw, steps: [] });
      case 'step':
        return raw.flatMap((step, index) => {
          const steps = sound[index] ? expandAt(step, index) : undefined;
          return steps ? rule({ ...base, planSteps: [step], steps }) : [];
        });
      case 'earlier-steps': {
        const steps = expandQuietly(earlier);
        return steps ? rule({ ...base, planSteps: earlier, steps }) : [];
      }
    }
  });
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
    const faults = [...loaded.diagnostics, ...fromSchema];
    const fromPolicy = policyOnSoundParts(loaded.value, faults).map((f) => ({ file: loaded.file, ...loaded.locate(f.pointer), ...f }));
    return { diagnostics: [...faults, ...fromPolicy].sort(byPosition) };
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

/** `file` names the plan in diagnostics; `path` is where it is read (relative to another folder than the process's). */
export function validatePlanFile(file: string, path = file): ValidationResult {
  const bytes = readPlanFile(path);
  if (!(bytes instanceof Uint8Array)) {
    return { diagnostics: [{ file, line: 1, column: 1, pointer: '', severity: 'error', code: bytes.code, message: bytes.reason }] };
  }
  return validatePlanText(file, bytes);
}
