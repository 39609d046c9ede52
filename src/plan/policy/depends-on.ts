import { didYouMean } from '../suggest.js';
import type { PolicyRule } from './types.js';

/** Steps run in plan order, so a dependency can only name an earlier step. */
export const dependsOnBackwards: PolicyRule = ({ planSteps }) => {
  const ids = planSteps.map((step) => step?.id);
  return planSteps.flatMap((step, index) =>
    // On a plan the schema faulted, steps arrive as written (validate.ts: policyOnSoundParts).
    (Array.isArray(step?.dependsOn) ? step.dependsOn : []).flatMap((dependency, j) => {
      if (typeof dependency !== 'string') return [];
      const pointer = `/steps/${index}/dependsOn/${j}`;
      const at = ids.indexOf(dependency);
      if (at < 0) return [{ pointer, severity: 'error' as const, code: 'policy.depends-on', message: `depends on "${dependency}", which is no step of this plan${didYouMean(dependency, ids.filter((id): id is string => typeof id === 'string'))}` }];
      if (at >= index) {
        return [{ pointer, severity: 'error' as const, code: 'policy.depends-on', message: `depends on "${dependency}", which ${at === index ? 'is this step itself' : 'comes later'}; dependencies must name earlier steps` }];
      }
      return [];
    }),
  );
};
