import { planActions } from '../../actions/index.js';
import type { ActionDefinition } from '../../actions/types.js';
import { shareFragments } from '../../shared/share-fragments.js';
import * as fragments from '../../shared/schema-fragments.js';
import { backupOptOut, commonStepProperties, freeText, hostName, scriptText } from '../../shared/schema-fragments.js';

export const API_VERSION = 'rdsplan/v1';
export const SCHEMA_ID = 'https://rdsplan.dev/schemas/plan.schema.json';

/** Everything but the steps: written out here so json-schema-to-ts derives the TypeScript type from it. */
export const envelopeProperties = {
  $schema: { type: 'string', description: 'where editors find this schema' },
  apiVersion: { const: API_VERSION },
  name: {
    type: 'string',
    pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
    description: 'the plan name: letters, digits, dot, underscore and dash (it is used in file names and the script header)',
  },
  description: freeText,
  change: {
    type: 'object',
    properties: {
      id: { ...scriptText, maxLength: 128, description: 'the change ticket id' },
      requestedBy: { ...scriptText, maxLength: 256 },
      approvedBy: { ...scriptText, maxLength: 256 },
      window: { ...scriptText, maxLength: 256, description: 'the change window, as the change board wrote it' },
    },
    additionalProperties: false,
  },
  targets: {
    type: 'array',
    minItems: 1,
    maxItems: 1000,
    items: {
      anyOf: [
        hostName,
        {
          type: 'object',
          required: ['computerName'],
          properties: {
            computerName: hostName,
            port: { type: 'integer', minimum: 1, maximum: 65535 },
            useSSL: { type: 'boolean' },
          },
          additionalProperties: false,
        },
      ],
    },
    description: 'host names ("localhost" is this machine) or { computerName, port, useSSL }; credentials never appear in a plan',
  },
  options: {
    type: 'object',
    properties: {
      backupDirectory: {
        ...scriptText,
        minLength: 3,
        maxLength: 240,
        pattern: '^(?:[A-Za-z]:\\\\|\\\\\\\\)[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\uD800-\\uDFFF"*?<>|]*$',
        description: 'an absolute Windows folder path (C:\\… or \\\\server\\share\\…)',
      },
      onError: { enum: ['rollback', 'stop', 'continue'] },
      reboot: { enum: ['never', 'ifRequired', 'always'] },
      timeoutSeconds: { type: 'integer', minimum: 10, maximum: 86400 },
    },
    additionalProperties: false,
  },
} as const;

export const envelopeRequired = ['apiVersion', 'name', 'targets', 'steps'] as const;

function stepSchema(action: ActionDefinition): Record<string, unknown> {
  return {
    title: action.name,
    description: action.summary,
    type: 'object',
    required: ['id', 'action', ...action.schema.required],
    properties: {
      ...commonStepProperties,
      action: { const: action.name },
      ...(action.kind === 'primitive' && action.backupOptOut ? { backup: backupOptOut } : {}),
      ...action.schema.properties,
    },
    additionalProperties: false,
    ...(action.schema.allOf ? { allOf: action.schema.allOf } : {}),
  };
}

/** The plan schema as written to schemas/plan.schema.json: assembled from the action catalogue. */
export function buildPlanSchema(): Record<string, unknown> {
  return shareFragments(fragments, {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'rdsplan plan',
    description: 'A declarative RDS licensing maintenance plan (rdsplan/v1).',
    type: 'object',
    required: envelopeRequired,
    properties: {
      ...envelopeProperties,
      steps: {
        type: 'array',
        minItems: 1,
        maxItems: 200,
        items: {
          type: 'object',
          required: ['action'],
          properties: { action: { type: 'string', description: 'the action this step runs' } },
          discriminator: { propertyName: 'action' },
          oneOf: planActions().map(stepSchema),
        },
      },
    },
    additionalProperties: false,
  });
}
