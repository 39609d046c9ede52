// Builds dist/rdsplan.mjs: one ESM file for Node 20, with the plan validator precompiled by
// ajv standalone (a cold `rdsplan review` must not compile the schema) and the tree-sitter
// WASM files copied beside it (loaded only by `verify` and `render`).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, 'dist');
const work = join(root, 'dist', '.build');
mkdirSync(work, { recursive: true });

async function standaloneValidator() {
  const schemaModule = join(work, 'plan-schema.mjs');
  await build({ entryPoints: [join(root, 'src/plan/schema-validator-options.ts')], bundle: true, platform: 'node', format: 'esm', outfile: schemaModule, logLevel: 'warning' });
  const { buildPlanSchema, AJV_OPTIONS } = await import(pathToFileURL(schemaModule).href);
  const Ajv2020 = require('ajv/dist/2020.js').default;
  const standaloneCode = require('ajv/dist/standalone/index.js').default;
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  const file = join(work, 'plan-validator.mjs');
  writeFileSync(file, standaloneCode(ajv, ajv.compile(buildPlanSchema())));
  return file;
}

const validatorFile = await standaloneValidator();

const precompiledValidator = {
  name: 'precompiled-plan-validator',
  setup(b) {
    b.onResolve({ filter: /schema-validator\.js$/ }, (args) =>
      args.importer.includes(join('src', 'plan')) ? { path: 'precompiled-plan-validator', namespace: 'rdsplan' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'rdsplan' }, () => ({
      contents: `import validate from ${JSON.stringify(validatorFile)};\nexport function planValidator() { return validate; }\n`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

// Split so each command loads only what it needs; dist/rdsplan.mjs stays the entry.
rmSync(join(out, 'chunks'), { recursive: true, force: true });
await build({
  entryPoints: { rdsplan: join(root, 'src/cli/bin.ts') },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: out,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __rdsplanCreateRequire } from 'node:module';\nconst require = __rdsplanCreateRequire(import.meta.url);" },
  define: { RDSPLAN_VERSION: JSON.stringify(pkg.version) },
  plugins: [precompiledValidator],
  logLevel: 'warning',
});

copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(out, 'web-tree-sitter.wasm'));
copyFileSync(join(dirname(require.resolve('tree-sitter-powershell/package.json')), 'tree-sitter-powershell.wasm'), join(out, 'tree-sitter-powershell.wasm'));
