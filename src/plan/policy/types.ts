import type { PlanStep, PrimitiveStep } from '../../actions/types.js';

/** What a policy rule sees: the steps as written and as expanded. */
export interface PolicyInput {
  planSteps: PlanStep[];
  steps: PrimitiveStep[];
}

/** A rule reports findings at JSON pointers; validate.ts turns them into positioned diagnostics. */
export interface PolicyFinding {
  pointer: string;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

export type PolicyRule = (input: PolicyInput) => PolicyFinding[];
