import { findAction, isPreset, primitive } from '../actions/index.js';
import type { PlanStep, PrimitiveStep } from '../actions/types.js';

/**
 * Presets become primitive steps; the companions a primitive brings (takeOwnership's restore)
 * go to the end of the plan, except those that must pass before any change, which go first. A dependency on a preset means a dependency on
 * every step it expanded into. Input must have passed the schema.
 */
export function expandSteps(planSteps: PlanStep[]): PrimitiveStep[] {
  const expanded: PrimitiveStep[] = [];
  const trailing: PrimitiveStep[] = [];
  const partsOf = new Map<string, string[]>();

  planSteps.forEach((step, index) => {
    const pointer = `/steps/${index}`;
    const action = findAction(step.action)!;
    if (isPreset(action)) {
      const parts = action.expand(step, pointer);
      partsOf.set(step.id, parts.map((part) => part.id));
      expanded.push(...parts);
      return;
    }
    const expandedStep: PrimitiveStep = {
      id: step.id,
      action: action.name,
      params: action.normalize(step),
      ...(step.description !== undefined ? { description: step.description } : {}),
      dependsOn: [...(step.dependsOn ?? [])],
      runWhen: action.handler && step.always !== true ? 'changed' : 'always',
      ...(step.backup ? { backup: step.backup } : {}),
      pointer,
    };
    expanded.push(expandedStep);
    trailing.push(...(action.companions?.(expandedStep) ?? []));
  });

  // A step that must pass before any change (the session check) goes first, whoever brought it.
  const all = [...expanded, ...trailing];
  const first = (step: PrimitiveStep) => primitive(step.action).beforeAnyChange === true;
  return [...all.filter(first), ...all.filter((step) => !first(step))].map((step) => ({
    ...step,
    dependsOn: [...new Set(step.dependsOn.flatMap((id) => partsOf.get(id) ?? [id]))],
  }));
}
