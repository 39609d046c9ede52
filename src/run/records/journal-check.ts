import { findAction } from '../../actions/index.js';
import { isObject } from '../../actions/journal.js';
import type { PrimitiveStep } from '../../actions/types.js';
import type { JournalEntry } from '../record.js';

/**
 * Before an undo runs a journal entry, the entry must belong to a step of the run's (verified)
 * plan with the same action, and pass that action's own journal check (src/actions: the same
 * key and view, value names, subkeys below the step's key, the same service or channel).
 */
export function journalEntryProblem(entry: JournalEntry, steps: readonly PrimitiveStep[]): string | null {
  const step = steps.find((s) => s.id === entry.stepId);
  if (!step) return `step ${JSON.stringify(entry.stepId)} is not a step of the run's plan`;
  if (entry.action !== step.action) return `step ${entry.stepId} is ${step.action} in the plan, the journal says ${JSON.stringify(entry.action)}`;
  const action = findAction(entry.action);
  if (!action || action.kind !== 'primitive' || !action.journal) return `step ${entry.stepId} (${entry.action}) has nothing to undo`;
  if (!isObject(entry.undo)) return `step ${entry.stepId}: the undo entry is not an object`;
  const problem = action.journal(entry.undo, step);
  return problem ? `step ${entry.stepId} (${entry.action}): ${problem}` : null;
}
