import fc from 'fast-check';
import type { Review } from '../../../src/render/review/model.js';

/**
 * Hostile input for the escaping tests: strings dense in characters that mean something to
 * markdown, HTML or a terminal, and a way to put one string into every place of a review
 * where plan-supplied (or plan-derived) text is shown.
 */
const SPECIAL = ['|', '\\', '`', '<', '>', '&', '"', "'", '*', '_', '[', ']', '(', ')', '!', '#', '~', ':', '@', '-', '.', '\n', '\r', '\r\n', '\t', ' ', '\u001b[31m', '\u202e', '\u2066', '\u0085', '<br>', '<script>', '&amp;', '```', 'www.', 'http://'];

export const hostileString = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...SPECIAL),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    // Lone surrogates too: a renderer must survive any JS string.
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 40,
});

/** The review with `text` in every displayed free-text field, the structure left as it is. */
export function injectText(review: Review, text: string): Review {
  return {
    ...review,
    plan: {
      ...review.plan,
      name: text,
      file: text,
      description: text,
      change: { id: text, requestedBy: text, approvedBy: text, window: text },
    },
    targets: review.targets.map((t) => ({ ...t, computerName: text })),
    options: { ...review.options, backupDirectory: text },
    presets: review.presets.map((p) => ({ ...p, id: text, summary: text, expandsTo: p.expandsTo.map(() => text) })),
    steps: review.steps.map((s) => ({
      ...s,
      id: text,
      description: text,
      what: text,
      dependsOn: s.dependsOn.map(() => text),
      risks: s.risks.map((r) => ({ ...r, text })),
      ...(s.preset ? { preset: { id: text, action: text } } : {}),
      privileges: s.privileges.map(() => text),
      rollback: s.rollback === null ? null : text,
      parameters: { value: text },
    })),
    risks: review.risks.map((r) => ({ ...r, steps: r.steps.map(() => text) })),
    backups: review.backups.map(() => ({ stepId: text, key: text, file: text })),
    privileges: review.privileges.map((p) => ({ name: text, steps: p.steps.map(() => text) })),
    rollback: { ...review.rollback, summary: text, steps: review.rollback.steps.map(() => ({ stepId: text, text })) },
    notes: review.notes.map(() => text),
    warnings: review.warnings.map((w) => ({ ...w, pointer: text, message: text })),
  };
}
