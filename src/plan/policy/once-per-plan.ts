import { primitive } from '../../actions/index.js';
import type { PolicyRule } from './types.js';

/** An action whose definition says a plan holds one step of it at most: the second is refused, with the definition's reason. */
export const oncePerPlan: PolicyRule = ({ steps }) => {
  const seen = new Map<string, string>();
  return steps.flatMap((step) => {
    const why = primitive(step.action).oncePerPlan;
    if (!why) return [];
    const first = seen.get(step.action);
    if (first === undefined) {
      seen.set(step.action, step.id);
      return [];
    }
    return [{ pointer: step.pointer, severity: 'error' as const, code: 'policy.once-per-plan', message: `step "${step.id}" is a second ${step.action} (the first is "${first}"); a plan holds one: ${why}` }];
  });
};
