import { describe, expect, test } from '@jest/globals';
import Ajv2020 from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { ACTIONS } from '../../../src/actions/index.js';
import { renderJson } from '../../../src/render/review/json.js';
import { REVIEW_FORMAT_VERSION, type Review } from '../../../src/render/review/model.js';
import { allReviews, exampleReviews, reviewOfPlan } from './plans.js';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/review.schema.json', import.meta.url), 'utf8')) as {
  $defs: Record<string, unknown> & { step: { properties: { action: { enum: string[] } } } };
};
// CJS interop: under NodeNext the default import is the module object, at run time it may be the class.
const AjvClass = ((Ajv2020 as any).default ?? Ajv2020) as typeof Ajv2020.default;
const validate = new AjvClass({ allErrors: true }).compile(schema);

function errorsOf(value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('json review', () => {
  test.each([...allReviews(), ...exampleReviews()])('%s: valid against schemas/review.schema.json', (_name, review) => {
    const json = renderJson(review);
    expect(json.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(json) as Review;
    expect(parsed).toEqual(review);
    expect(parsed.formatVersion).toBe(REVIEW_FORMAT_VERSION);
    expect(errorsOf(parsed)).toEqual([]);
  });

  test('an export the plan puts outside the backup folder, with its reason, is a valid review', () => {
    const review = reviewOfPlan('outside.json', {
      apiVersion: 'rdsplan/v1',
      name: 'outside',
      targets: ['localhost'],
      steps: [{ id: 'export', action: 'registry.export', path: 'HKLM\\SOFTWARE\\Contoso', file: 'D:\\Archive\\contoso.reg', outsideBackupDirectory: { reason: 'the archive share keeps backups for a year' } }],
    });
    expect(review.steps[0]!.parameters.outsideBackupDirectory).toEqual({ reason: 'the archive share keeps backups for a year' });
    expect(errorsOf(JSON.parse(renderJson(review)))).toEqual([]);
  });

  test('two-space indentation, as written by JSON.stringify', () => {
    const [[, review]] = allReviews() as [[string, Review]];
    expect(renderJson(review)).toBe(`${JSON.stringify(review, null, 2)}\n`);
  });

  test('the schema is closed: unknown properties and another formatVersion are rejected', () => {
    const [, review] = allReviews().at(-1)!;
    const step = review.steps.find((s) => s.action === 'registry.setValue')!;
    expect(errorsOf({ ...review, steps: [step] })).toEqual([]);
    expect(errorsOf({ ...review, extra: 1 })).not.toEqual([]);
    expect(errorsOf({ ...review, formatVersion: 2 })).not.toEqual([]);
    expect(errorsOf({ ...review, plan: { ...review.plan, change: { ...review.plan.change, ticket: 'x' } } })).not.toEqual([]);
    expect(errorsOf({ ...review, steps: [{ ...step, extra: true }] })).not.toEqual([]);
    expect(errorsOf({ ...review, steps: [{ ...step, parameters: { ...step.parameters, extra: true } }] })).not.toEqual([]);
    expect(errorsOf({ ...review, steps: [{ ...step, action: 'registry.deleteKey' }] })).not.toEqual([]);
    expect(errorsOf({ ...review, approvalToken: 'sha256:abc' })).not.toEqual([]);
  });

  test('every primitive action has its parameters described', () => {
    const primitives = ACTIONS.filter((a) => a.kind === 'primitive').map((a) => a.name).sort();
    expect([...schema.$defs.step.properties.action.enum].sort()).toEqual(primitives);
    // Each action's own example review is validated by test/actions/catalogue.test.ts.
    for (const name of primitives) expect(schema.$defs[`parameters.${name}`]).toBeDefined();
  });
});
