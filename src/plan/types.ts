import type { FromSchema } from 'json-schema-to-ts';
import type { PlanStep, PrimitiveStep } from '../actions/types.js';
import type { envelopeProperties } from './schema/plan-schema.js';

/**
 * The plan document's type is derived from the same schema objects ajv validates with, so
 * the two cannot drift apart; steps are typed per action where they are read.
 */
type Envelope = FromSchema<{ type: 'object'; properties: typeof envelopeProperties; required: ['apiVersion', 'name', 'targets']; additionalProperties: false }>;

export type PlanDocument = Envelope & { steps: PlanStep[] };

export type Target = { computerName: string; port?: number; useSSL?: boolean };

export interface PlanOptions {
  backupDirectory: string;
  onError: 'rollback' | 'stop' | 'continue';
  reboot: 'never' | 'ifRequired' | 'always';
  timeoutSeconds: number;
}

/** A validated plan with presets expanded: what review, render and run work from. */
export interface Plan {
  document: PlanDocument;
  /** sha256 of the canonical plan JSON. */
  sha256: string;
  file: string;
  name: string;
  targets: Target[];
  options: PlanOptions;
  /** The steps as written, for the review. */
  planSteps: PlanStep[];
  steps: PrimitiveStep[];
}
