import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validatePlanFile } from '../../src/plan/validate.js';
import { renderReview, REVIEW_FORMATS } from '../../src/render/review/index.js';
import { buildReview } from '../../src/render/review/model.js';
import { renderScript } from '../../src/render/script.js';

/**
 * Golden files: the script and every review format of every example, byte for byte. A change
 * to a template or a renderer shows up here as a diff to read; `UPDATE_GOLDEN=1 npm run jest
 * -- test/render/golden` rewrites them after that reading.
 */
const GOLDEN = 'test/golden';
const EXTENSIONS = { text: 'review.txt', markdown: 'review.md', json: 'review.json', html: 'review.html' } as const;
const update = process.env.UPDATE_GOLDEN === '1';

function compare(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (update) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path)) throw new Error(`${path} is missing: run UPDATE_GOLDEN=1 npm run jest -- test/render/golden and read what it wrote`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe.each(readdirSync('examples').filter((f) => f.endsWith('.json')))('%s', (example) => {
  const name = example.replace(/\.json$/, '');
  const result = validatePlanFile(join('examples', example));
  const plan = result.plan!;
  const script = renderScript(plan, { toolVersion: '0.0.0-golden' });

  test('script', () => compare(`${name}.ps1`, script.text));

  test.each(REVIEW_FORMATS)('review as %s', (format) => {
    compare(`${name}.${EXTENSIONS[format]}`, renderReview(buildReview(plan, script, result.diagnostics), format, { color: false }));
  });
});

test('no golden file is left over from a removed example', () => {
  const examples = new Set(readdirSync('examples').map((f) => f.replace(/\.json$/, '')));
  const orphans = readdirSync(GOLDEN).filter((f) => !examples.has(f.split('.')[0]!));
  expect(orphans).toEqual([]);
});
