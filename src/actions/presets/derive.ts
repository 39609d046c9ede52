import type { PlanStep, PrimitiveAction, PrimitiveStep } from '../types.js';

export interface DeriveOptions {
  /** Suffixes of sibling steps of the same preset this one needs. */
  after?: string[];
  runWhen?: 'always' | 'changed';
}

/**
 * Builds one primitive step of a preset: id `<preset id>.<suffix>`, parameters normalised by
 * the primitive itself, and the preset's own dependencies carried by every part.
 */
export function derive(
  preset: PlanStep,
  pointer: string,
  suffix: string,
  action: PrimitiveAction<any>,
  raw: Record<string, unknown>,
  options: DeriveOptions = {},
): PrimitiveStep {
  const id = `${preset.id}.${suffix}`;
  return {
    id,
    action: action.name,
    params: action.normalize({ id, action: action.name, ...raw }),
    dependsOn: [...(preset.dependsOn ?? []), ...(options.after ?? []).map((s) => `${preset.id}.${s}`)],
    runWhen: options.runWhen ?? 'always',
    preset: { id: preset.id, action: preset.action },
    pointer,
  };
}
