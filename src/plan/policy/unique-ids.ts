import type { PolicyRule } from './types.js';

export const uniqueIds: PolicyRule = ({ planSteps }) => {
  const firstAt = new Map<string, number>();
  return planSteps.flatMap((step, index) => {
    // On a plan the schema faulted, steps arrive as written (validate.ts: policyOnSoundParts).
    if (typeof step?.id !== 'string') return [];
    const first = firstAt.get(step.id);
    if (first === undefined) {
      firstAt.set(step.id, index);
      return [];
    }
    return [{ pointer: `/steps/${index}/id`, severity: 'error' as const, code: 'policy.unique-id', message: `step id "${step.id}" is already used by /steps/${first}` }];
  });
};
