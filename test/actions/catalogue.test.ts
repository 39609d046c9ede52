import { describe, expect, test } from '@jest/globals';
import Ajv2020 from 'ajv/dist/2020.js';
import { ACTIONS } from '../../src/actions/index.js';
import type { ActionDefinition, PresetAction, PrimitiveAction } from '../../src/actions/types.js';
import { validatePlanText } from '../../src/plan/validate.js';
import { buildReview } from '../../src/render/review/model.js';
import { buildReviewSchema } from '../../src/render/review/review-schema.js';
import { actionTemplate } from '../../src/render/templates.js';
import { testScript } from '../render/review/plans.js';

/**
 * One row per action of the catalogue: what every definition must bring, so that adding an
 * action is adding a definition (and its template), and a forgotten property fails here.
 */
// CJS interop: under NodeNext the default import is the module object, at run time it may be the class.
const AjvClass = ((Ajv2020 as any).default ?? Ajv2020) as typeof Ajv2020.default;
const reviewSchema = buildReviewSchema() as { $defs: Record<string, unknown> };
const ajv = new AjvClass({ allErrors: true });
const validateReview = ajv.compile(reviewSchema);
const validateReviewStep = ajv.compile({ $ref: '#/$defs/step', $defs: reviewSchema.$defs });

const rows = ACTIONS.map((action) => [action.name, action] as [string, ActionDefinition]);
const primitives = rows.filter((row): row is [string, PrimitiveAction<any>] => row[1].kind === 'primitive');
const planned = rows.filter(([, action]) => action.kind === 'preset' || !action.internal);

const exampleOf = (action: ActionDefinition) => (action.kind === 'preset' ? action.starter : action.example);
const errors = (validate: typeof validateReview, value: unknown) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

/** A change nothing can undo is planned after a report of what exists (the policy wants one). */
const reportFirst = (action: ActionDefinition) =>
  action.kind === 'primitive' && action.irreversible ? primitives.filter(([, a]) => a.reports && !a.internal).slice(0, 1).map(([name, a]) => ({ id: 'report', action: name, ...a.example })) : [];

function planWith(action: ActionDefinition) {
  const document = { apiVersion: 'rdsplan/v1', name: 'catalogue-example', targets: ['localhost'], steps: [...reportFirst(action), { id: 'example', action: action.name, ...exampleOf(action) }] };
  return validatePlanText('catalogue-example.json', Buffer.from(JSON.stringify(document)));
}

describe('the action catalogue', () => {
  test('names are unique', () => {
    expect(new Set(rows.map(([name]) => name)).size).toBe(rows.length);
  });

  test.each(primitives)('%s: has its template', (_name, action) => {
    expect(actionTemplate(action.name).text.trim()).not.toBe('');
  });

  test.each(primitives)('%s: normalising normalised parameters changes nothing', (name, action) => {
    const params = action.normalize({ id: 'example', action: name, ...action.example });
    expect(action.normalize({ id: 'example', action: name, ...params })).toEqual(params);
  });

  test.each(planned)('%s: the example is a valid plan step, and its review is valid against the review schema', (_name, action) => {
    const result = planWith(action);
    expect(result.diagnostics).toEqual([]);
    const review = buildReview(result.plan!, testScript(result.plan!), result.diagnostics);
    expect(errors(validateReview, JSON.parse(JSON.stringify(review)))).toEqual([]);
  });

  test.each(primitives)('%s: the review step of the example is valid against the review schema', (name, action) => {
    const params = action.normalize({ id: 'example', action: name, ...action.example });
    const step = {
      id: 'example',
      action: name,
      what: action.describe(params),
      risks: action.risks(params),
      runWhen: 'always',
      dependsOn: [],
      privileges: action.privileges(params),
      rollback: action.rollback(params),
      parameters: params,
    };
    expect(errors(validateReviewStep, JSON.parse(JSON.stringify(step)))).toEqual([]);
  });

  test.each(primitives)('%s: says what it does and what it risks', (name, action) => {
    const params = action.normalize({ id: 'example', action: name, ...action.example });
    expect(action.summary.length).toBeGreaterThan(10);
    expect(action.describe(params).length).toBeGreaterThan(10);
    const risks = action.risks(params);
    expect(risks.length).toBeGreaterThan(0);
    for (const risk of risks) expect(risk.text.length).toBeGreaterThan(0);
  });

  const rollbackOf = (action: PrimitiveAction<any>) => action.rollback(action.normalize({ id: 'example', action: action.name, ...action.example }));

  test.each(primitives.filter(([, action]) => rollbackOf(action) !== null))('%s: promises a rollback in words, and its undo entries are checked', (_name, action) => {
    expect(String(rollbackOf(action)).length).toBeGreaterThan(10);
    expect(action.changesHost).toBe(true);
    expect(typeof action.journal).toBe('function');
  });

  test.each(primitives.filter(([, action]) => !action.changesHost))('%s: changes nothing, so promises no rollback', (_name, action) => {
    expect(rollbackOf(action)).toBeNull();
  });

  test.each(primitives.filter(([, action]) => action.irreversible))('%s: cannot be undone: promises no rollback, journals nothing, and says why', (_name, action) => {
    expect(rollbackOf(action)).toBeNull();
    expect(action.journal).toBeUndefined();
    expect(action.changesHost).toBe(true);
    expect(action.irreversible!.length).toBeGreaterThan(10);
    expect(action.risks(action.normalize({ id: 'example', action: action.name, ...action.example })).map((r) => r.class)).toContain('irreversible');
  });

  test.each(rows.filter((row): row is [string, PresetAction] => row[1].kind === 'preset'))('%s: has a summary, and notes are strings', (_name, action) => {
    expect(action.summary.length).toBeGreaterThan(10);
    for (const note of action.notes({ id: 'example', action: action.name, ...action.starter })) expect(note.length).toBeGreaterThan(0);
  });
});
