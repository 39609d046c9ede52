import { findAction, isPreset, primitive } from '../actions/index.js';
import type { PlanStep, PrimitiveStep } from '../actions/types.js';

/**
 * Presets become primitive steps; a primitive takeOwnership that restores "afterPlan" gets
 * its restore step at the end of the plan. A dependency on a preset means a dependency on
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
    const params = action.normalize(step);
    expanded.push({
      id: step.id,
      action: action.name,
      params,
      ...(step.description !== undefined ? { description: step.description } : {}),
      dependsOn: [...(step.dependsOn ?? [])],
      runWhen: action.handler && step.always !== true ? 'changed' : 'always',
      ...(step.backup ? { backup: step.backup } : {}),
      pointer,
    });
    if (action.name === 'registry.takeOwnership' && params.restore === 'afterPlan') {
      const restore = primitive('registry.restoreSecurity');
      trailing.push({
        id: `${step.id}.restore`,
        action: restore.name,
        params: restore.normalize({ id: `${step.id}.restore`, action: restore.name, path: params.path, view: params.view === 'Default' ? undefined : params.view, fromStep: step.id }),
        dependsOn: [step.id],
        runWhen: 'always',
        pointer,
      });
    }
  });

  return [...expanded, ...trailing].map((step) => ({
    ...step,
    dependsOn: [...new Set(step.dependsOn.flatMap((id) => partsOf.get(id) ?? [id]))],
  }));
}
