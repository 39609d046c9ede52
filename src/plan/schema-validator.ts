import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import { buildPlanSchema } from './schema/plan-schema.js';

/**
 * The plan schema compiled by ajv at run time. The CLI bundle replaces this module with the
 * same validator precompiled by ajv standalone (esbuild.config.mjs), so a cold start does
 * not pay for compiling the schema.
 */
export type PlanValidateFunction = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

// strictRequired is off: "exactly one of name or namePattern" is written as oneOf of bare required lists.
export const AJV_OPTIONS = { allErrors: true, discriminator: true, strict: true, strictRequired: false, unicodeRegExp: true } as const;

// ajv is CommonJS: under Node's ESM loader the class is the default export, under esbuild's interop it is `.default`.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module.default;

let compiled: PlanValidateFunction | undefined;

export function planValidator(): PlanValidateFunction {
  compiled ??= new Ajv2020(AJV_OPTIONS).compile(buildPlanSchema()) as PlanValidateFunction;
  return compiled;
}
