// The build's entry for precompiling the validator: the schema and ajv's options, nothing else.
export { buildPlanSchema } from './schema/plan-schema.js';
export { AJV_OPTIONS } from './schema-validator.js';
