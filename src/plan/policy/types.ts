import type { PlanStep, PrimitiveStep } from '../../actions/types.js';

/** What a policy rule sees: the targets and backup folder as written, the steps as written and as expanded. */
export interface PolicyInput {
  targets?: readonly (string | { computerName: string })[];
  backupDirectory?: string;
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
