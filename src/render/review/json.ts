import type { Review } from './model.js';

/** The review for machines: the model itself, described by schemas/review.schema.json (formatVersion says which shape). */
export function renderJson(review: Review): string {
  return `${JSON.stringify(review, null, 2)}\n`;
}
