/** Plan documents for tests: the examples, plans written on the fly, and their rendered sim scripts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validatePlanFile, validatePlanText } from '../../src/plan/validate.js';
import type { Plan } from '../../src/plan/types.js';
import { renderScript, scriptBytes } from '../../src/render/script.js';
import { tempDir } from './files.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXAMPLES = join(repoRoot, 'examples');
export const examplePath = (name: string): string => join(EXAMPLES, `${name}.json`);

export interface PlanJson {
  name: string;
  targets: (string | { computerName: string })[];
  [key: string]: unknown;
}

export function readPlan(file: string): PlanJson {
  return JSON.parse(readFileSync(file, 'utf8')) as PlanJson;
}

export const targetNames = (plan: PlanJson) => plan.targets.map((t) => (typeof t === 'string' ? t : t.computerName));

/** Writes a plan into `dir` and returns its path. */
export function writePlan(dir: string, plan: object, file = 'plan.json'): string {
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(plan, null, 2)}\n`);
  return path;
}

/** A plan document around some steps (the header fields the schema wants). */
export function planOf(name: string, steps: unknown[], options: Record<string, unknown> = { onError: 'rollback' }): Record<string, unknown> {
  return { apiVersion: 'rdsplan/v1', name, targets: ['localhost'], options, steps };
}

/** Validates a plan (file path or object) and writes the sim script; throws on validation errors. */
export function renderPlan(plan: string | Record<string, unknown>, dir = tempDir()): { script: string; plan: Plan } {
  const result =
    typeof plan === 'string' ? validatePlanFile(plan) : validatePlanText('plan.json', Buffer.from(JSON.stringify(plan, null, 2)));
  if (!result.plan) throw new Error(`plan does not validate: ${JSON.stringify(result.diagnostics, null, 2)}`);
  const script = join(dir, 'plan.ps1');
  writeFileSync(script, scriptBytes(renderScript(result.plan, { platform: 'sim' })));
  return { script, plan: result.plan };
}
