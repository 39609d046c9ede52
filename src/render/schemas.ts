import { buildDiagnosisSchema } from '../diagnose/schema.js';
import { buildPlanSchema } from '../plan/schema/plan-schema.js';
import { buildReviewSchema } from './review/review-schema.js';

/** The schema files under schemas/ generated from the action catalogue (`npm run schema:write`). */
export const GENERATED_SCHEMAS: Readonly<Record<string, () => Record<string, unknown>>> = {
  'plan.schema.json': buildPlanSchema,
  'review.schema.json': buildReviewSchema,
  'diagnosis.schema.json': buildDiagnosisSchema,
};

export function schemaText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
