import { describe, expect, test } from '@jest/globals';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { execa } from 'execa';
import { loadPowerShellParser, locateWasm, parsePowerShell } from '../../src/verify/tree-sitter.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the tree-sitter PowerShell parser', () => {
  test('is found in node_modules when running from source', () => {
    expect(locateWasm('web-tree-sitter.wasm')).toBe(join(repo, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.wasm'));
    expect(locateWasm('tree-sitter-powershell.wasm')).toBe(join(repo, 'node_modules', 'tree-sitter-powershell', 'tree-sitter-powershell.wasm'));
  });

  test('is loaded once and reused', async () => {
    const first = await loadPowerShellParser();
    expect(await loadPowerShellParser()).toBe(first);
    const tree = await parsePowerShell("Write-Host 'x'");
    expect(tree.rootNode.hasError).toBe(false);
    tree.delete();
  });

  // CLI start-up must not pay for the WASM: only `import type` or a dynamic import() may name it.
  test('no module under src/ imports web-tree-sitter statically', async () => {
    const offenders: string[] = [];
    const visit = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await visit(path);
        else if (entry.name.endsWith('.ts') && /^\s*import\s+(?!type\b)[^;]*from\s+'web-tree-sitter'/m.test(await readFile(path, 'utf8'))) offenders.push(path);
      }
    };
    await visit(join(repo, 'src'));
    expect(offenders).toEqual([]);
  });

  test('a code-split bundle finds the WASM files in dist/, with no node_modules in reach', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rdsplan-bundle-'));
    try {
      const entry = join(dir, 'entry.ts');
      await writeFile(
        entry,
        `import { parsePowerShell } from ${JSON.stringify(join(repo, 'src/verify/tree-sitter.ts'))};\n` +
          `const tree = await parsePowerShell("$a = 'b'");\nconsole.log(tree.rootNode.type, tree.rootNode.hasError);\n`,
      );
      const lazy = join(dir, 'lazy.ts');
      await writeFile(lazy, `await import(${JSON.stringify(entry)});\n`);
      // As esbuild.config.mjs builds dist/: the entry, lazily imported code in chunks/, the WASM files beside the entry.
      await build({
        entryPoints: { rdsplan: lazy },
        bundle: true,
        splitting: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        outdir: dir,
        outExtension: { '.js': '.mjs' },
        chunkNames: 'chunks/[name]-[hash]',
        banner: { js: "import { createRequire as __rdsplanCreateRequire } from 'node:module';\nconst require = __rdsplanCreateRequire(import.meta.url);" },
        logLevel: 'silent',
      });
      await copyFile(join(repo, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), join(dir, 'web-tree-sitter.wasm'));
      await copyFile(join(repo, 'node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm'), join(dir, 'tree-sitter-powershell.wasm'));
      expect((await readdir(join(dir, 'chunks'))).length).toBeGreaterThan(0);
      const started = performance.now();
      const result = await execa(process.execPath, [join(dir, 'rdsplan.mjs')], { cwd: dir, reject: false });
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('program false');
      // With V8's TurboFan tier-up of the grammar the process needed 20-30 s to exit (see tree-sitter.ts).
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
