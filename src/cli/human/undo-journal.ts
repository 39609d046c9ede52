/**
 * The undo's review of its journal: per change, newest first, what it puts back, in the words
 * of the other views (SIDs and SDDL named, binary data sized) rather than the journal's JSON.
 */
import type { JournalEntry } from '../../run/record.js';
import { changeLines } from './change.js';

/** Where the entry restores; shown on its first line, not repeated among the values. */
const PLACE_KEYS = new Set(['Path', 'Name']);
/** How the runner finds its way back (registry view, the step it came from): not what is restored. */
const BOOKKEEPING_KEYS = new Set(['View', 'StepId', 'FromStep']);

export function journalLines(journal: readonly JournalEntry[]): string[] {
  return [...journal].reverse().flatMap((entry) => {
    const undo = entry.undo !== null && typeof entry.undo === 'object' && !Array.isArray(entry.undo) ? (entry.undo as Record<string, unknown>) : undefined;
    if (!undo) return [`  ${entry.stepId} (${entry.action}): restore`, ...changeLines(entry.undo, undefined).map((line) => `      ${line}`)];
    const place = [...PLACE_KEYS].map((key) => undo[key]).filter((v): v is string => typeof v === 'string');
    const values = Object.fromEntries(Object.entries(undo).filter(([key]) => !PLACE_KEYS.has(key) && !BOOKKEEPING_KEYS.has(key)));
    return [`  ${entry.stepId} (${entry.action}): restore${place.length > 0 ? ` ${place.join(' ')}` : ''}`, ...changeLines(values, undefined).map((line) => `      ${line}`)];
  });
}
