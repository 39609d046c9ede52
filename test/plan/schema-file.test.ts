import { describe, expect, test } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { planActions } from '../../src/actions/index.js';
import { buildPlanSchema } from '../../src/plan/schema/plan-schema.js';
import { validatePlanFile } from '../../src/plan/validate.js';

describe('schemas/plan.schema.json', () => {
  test('names every public action and no internal one', () => {
    const schema = buildPlanSchema() as any;
    const names = schema.properties.steps.items.oneOf.map((branch: any) => branch.properties.action.const);
    expect(names).toEqual(planActions().map((a) => a.name));
    expect(names).not.toContain('registry.restoreSecurity');
    expect(names).not.toContain('rds.getGracePeriodDays');
  });

  test('forbids unknown properties on every object it declares', () => {
    const open: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((child, i) => walk(child, `${path}/${i}`));
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (record.type === 'object' && record.additionalProperties !== false && !('oneOf' in record)) open.push(path);
      for (const [key, child] of Object.entries(record)) walk(child, `${path}/${key}`);
    };
    walk(buildPlanSchema(), '#');
    expect(open).toEqual([]);
  });
});

describe('examples', () => {
  const dir = new URL('../../examples/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  test('there is one per seed scenario, two for the license server and a diagnosis', () => {
    expect(files.sort()).toEqual([
      'cal-report.json',
      'clear-client-license-cache.json',
      'configure-licensing.json',
      'delete-stored-client-licenses.json',
      'diagnose-fleet.json',
      'disable-licensing-service.json',
      'reset-grace-period.json',
      'transfer-device-cal.json',
    ]);
  });

  test.each(files)('%s is valid without warnings', (file) => {
    const result = validatePlanFile(new URL(file, dir).pathname);
    expect(result.diagnostics).toEqual([]);
    expect(result.plan).toBeDefined();
  });
});
