import { primitive } from '../../actions/index.js';
import type { PolicyRule } from './types.js';

/**
 * A change nothing can undo (a revoked CAL) leaves the run record as the only trace of what
 * existed: an earlier step must report it there (licenseServer.reportCals), or the change board
 * approves a loss nobody can later account for.
 */
export const recordBeforeIrreversible: PolicyRule = ({ steps }) => {
  let reported = false;
  return steps.flatMap((step) => {
    const action = primitive(step.action);
    const finding = action.irreversible && !reported
      ? [{
          pointer: step.pointer,
          severity: 'error' as const,
          code: 'policy.record-before-irreversible',
          message: `step "${step.id}" (${step.action}) cannot be undone; add a step that reports what exists before it (licenseServer.reportCals), so the run record keeps it`,
        }]
      : [];
    if (action.reports) reported = true;
    return finding;
  });
};
