import { ACTIONS } from '../../actions/index.js';
import { RISK_CLASSES, type PrimitiveAction } from '../../actions/types.js';
import { envelopeProperties } from '../../plan/schema/plan-schema.js';
import * as fragments from '../../shared/review-fragments.js';
import { registryPath, sha256, stepId } from '../../shared/review-fragments.js';
import { shareFragments } from '../../shared/share-fragments.js';
import { REVIEW_FORMAT_VERSION } from './model.js';

export const REVIEW_SCHEMA_ID = 'https://rdsplan.dev/schemas/review.schema.json';

const closed = (required: readonly string[], properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  fragments.parametersSchema(properties, required, extra);
const list = (items: unknown, extra: Record<string, unknown> = {}) => ({ type: 'array', ...extra, items });
const text = { type: 'string' } as const;
const onError = envelopeProperties.options.properties.onError;

/** A review step: what every step has, and its parameters in the shape its action declares. */
function stepSchema(primitives: PrimitiveAction<any>[]): Record<string, unknown> {
  return closed(
    ['id', 'action', 'what', 'risks', 'runWhen', 'dependsOn', 'privileges', 'rollback', 'parameters'],
    {
      id: stepId,
      action: { enum: primitives.map((action) => action.name) },
      description: text,
      what: { type: 'string', description: 'what the step does, in plain words' },
      risks: list(closed(['class', 'text'], { class: { enum: RISK_CLASSES }, text })),
      runWhen: { enum: ['always', 'changed'], description: '"changed": a handler that runs only if an earlier step changed something' },
      dependsOn: list(stepId),
      preset: closed(['id', 'action'], { id: stepId, action: text }, { description: 'the plan step and preset this step was expanded from' }),
      privileges: list(text),
      rollback: { type: ['string', 'null'], description: 'what rollback does for this step; null when there is nothing to undo' },
      parameters: { type: 'object', description: 'the normalised parameters the script receives, by action' },
    },
    {
      allOf: primitives.map((action) => ({
        if: { properties: { action: { const: action.name } }, required: ['action'] },
        then: { properties: { parameters: { $ref: `#/$defs/parameters.${action.name}` } } },
      })),
    },
  );
}

/** The review schema as written to schemas/review.schema.json: the envelope here, the steps from the catalogue. */
export function buildReviewSchema(): Record<string, unknown> {
  const primitives = ACTIONS.filter((action): action is PrimitiveAction<any> => action.kind === 'primitive');
  return shareFragments(fragments, {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: REVIEW_SCHEMA_ID,
    title: 'rdsplan review',
    description:
      'The dry run of a plan as written by `rdsplan review --format json`: what the change board approves. formatVersion changes when this shape changes incompatibly.',
    ...closed(['formatVersion', 'tool', 'plan', 'targets', 'options', 'presets', 'steps', 'risks', 'backups', 'privileges', 'rollback', 'notes', 'warnings', 'script', 'approvalToken'], {
      formatVersion: { const: REVIEW_FORMAT_VERSION },
      tool: closed(['name', 'version'], { name: { const: 'rdsplan' }, version: text }),
      plan: closed(['name', 'file', 'sha256'], {
        name: text,
        file: text,
        sha256,
        description: text,
        change: closed([], { id: text, requestedBy: text, approvedBy: text, window: text }),
      }),
      targets: list(closed(['computerName'], { computerName: text, port: { type: 'integer', minimum: 1, maximum: 65535 }, useSSL: { type: 'boolean' } }), { minItems: 1 }),
      options: closed(['backupDirectory', 'onError', 'reboot', 'timeoutSeconds'], {
        backupDirectory: text,
        onError,
        reboot: envelopeProperties.options.properties.reboot,
        timeoutSeconds: { type: 'integer', minimum: 1 },
      }),
      presets: list(closed(['id', 'action', 'summary', 'expandsTo'], { id: stepId, action: text, summary: text, expandsTo: list(stepId) })),
      steps: list({ $ref: '#/$defs/step' }, { minItems: 1 }),
      risks: {
        ...list(closed(['class', 'steps'], { class: { enum: RISK_CLASSES }, steps: list(stepId) })),
        description: 'steps by risk class, most severe class first',
      },
      backups: list(closed(['stepId', 'key', 'file'], { stepId, key: registryPath, file: { type: 'string', description: "the .reg file; <run id> stands for the run's folder" } })),
      privileges: list(closed(['name', 'steps'], { name: text, steps: list(stepId) })),
      rollback: closed(['onError', 'summary', 'steps'], { onError, summary: text, steps: list(closed(['stepId', 'text'], { stepId, text })) }),
      notes: list(text),
      warnings: list(
        closed(['line', 'column', 'pointer', 'message'], {
          line: { type: 'integer', minimum: 1 },
          column: { type: 'integer', minimum: 1 },
          pointer: { type: 'string', description: "JSON pointer into the plan ('' for the document)" },
          message: text,
        }),
      ),
      script: closed(['platform', 'sha256'], { platform: { enum: ['windows', 'sim'] }, sha256 }),
      approvalToken: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$', description: 'what `rdsplan apply --approve` takes' },
    }),
    $defs: {
      step: stepSchema(primitives),
      ...Object.fromEntries(primitives.map((action) => [`parameters.${action.name}`, action.parameters])),
    },
  });
}
