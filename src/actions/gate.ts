import type { Params, PrimitiveAction, PrimitiveStep } from './types.js';

/**
 * The check a step brings with it that must pass before any change of the run (a session check
 * before a TermService restart, the allowance check before a revoke), under the step's id.
 * Expansion moves it to the front of the plan, so it depends on nothing.
 */
export function gateStep<P extends Params>(owner: PrimitiveStep, suffix: string, action: PrimitiveAction<P>, params: P): PrimitiveStep<P> {
  return {
    id: `${owner.id}.${suffix}`,
    action: action.name,
    params,
    dependsOn: [],
    runWhen: 'always',
    ...(owner.preset ? { preset: owner.preset } : {}),
    pointer: owner.pointer,
  };
}
