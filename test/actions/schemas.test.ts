import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { GENERATED_SCHEMAS, schemaText } from '../../src/render/schemas.js';

describe('generated schemas', () => {
  test.each(Object.entries(GENERATED_SCHEMAS))('schemas/%s is exactly what the catalogue generates (run `npm run schema:write` after changing an action)', (file, generate) => {
    expect(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')).toBe(schemaText(generate()));
  });
});
