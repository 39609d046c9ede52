import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The stage order (actions → plan → render → run → apply → cli) holds only if no stage reaches
 * back: a type or a hash two stages share lives in src/shared instead.
 */
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

const FORBIDDEN: Record<string, readonly string[]> = {
  shared: ['actions', 'plan', 'render', 'run', 'apply', 'cli'],
  actions: ['plan', 'render', 'run', 'cli', 'apply'],
  plan: ['render', 'run', 'cli', 'apply'],
  render: ['run', 'cli', 'apply'],
  run: ['apply', 'cli'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every module specifier of a file: static imports and re-exports (also `import type`), and import(). */
function specifiers(text: string): string[] {
  const found = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gms), ...text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return found.map((match) => match[1]!);
}

function stageOf(path: string): string {
  return relative(SRC, path).split(/[\\/]/)[0]!;
}

function breaks(): string[] {
  return sourceFiles(SRC).flatMap((file) => {
    const forbidden = FORBIDDEN[stageOf(file)] ?? [];
    return specifiers(readFileSync(file, 'utf8'))
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => normalize(join(dirname(file), spec)))
      .filter((target) => forbidden.includes(stageOf(target)))
      .map((target) => `${relative(SRC, file)} imports ${relative(SRC, target)}`);
  });
}

describe('never-rules', () => {
  test('the scanner sees multi-line, type-only and dynamic imports', () => {
    const text = "import type {\n  A,\n  B,\n} from '../run/record.js';\nexport { c } from './c.js';\nconst m = await import('../cli/main.js');\n";
    expect(specifiers(text)).toEqual(['../run/record.js', './c.js', '../cli/main.js']);
  });

  test('no stage imports a later one (actions < plan < render < run < apply < cli)', () => {
    expect(breaks()).toEqual([]);
  });
});
