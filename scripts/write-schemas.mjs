// Writes the schemas generated from the action catalogue (src/render/schemas.ts) into schemas/;
// test/actions/schemas.test.ts fails while a committed file differs from its generator.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'dist', '.build');
mkdirSync(work, { recursive: true });
const bundle = join(work, 'schemas.mjs');
await build({ entryPoints: [join(root, 'src/render/schemas.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'warning' });
const { GENERATED_SCHEMAS, schemaText } = await import(pathToFileURL(bundle).href);
for (const [file, generate] of Object.entries(GENERATED_SCHEMAS)) {
  writeFileSync(join(root, 'schemas', file), schemaText(generate()));
  console.log(`schemas/${file}`);
}
