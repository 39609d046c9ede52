/**
 * The tree-sitter PowerShell parser, loaded on first use: the WASM runtime and grammar cost
 * ~100 ms, which every CLI command except `verify` and `render` must not pay at start-up.
 * Hence only type imports at the top; the module itself is imported on demand.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { Parser, Tree } from 'web-tree-sitter';

const RUNTIME_WASM = 'web-tree-sitter.wasm';
const GRAMMAR_WASM = 'tree-sitter-powershell.wasm';

let parserPromise: Promise<Parser> | undefined;

/**
 * Where a WASM file lives: beside the bundle (the build copies both files into dist/, and
 * this module ends up either in dist/rdsplan.mjs or in a code-split chunk in dist/chunks/),
 * else in node_modules (running from source or under jest).
 */
export function locateWasm(file: typeof RUNTIME_WASM | typeof GRAMMAR_WASM): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const besideBundle = [join(here, file), join(here, '..', file)];
  const found = besideBundle.find((candidate) => existsSync(candidate));
  if (found) return found;
  const specifier = file === RUNTIME_WASM ? `web-tree-sitter/${RUNTIME_WASM}` : `tree-sitter-powershell/${GRAMMAR_WASM}`;
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch {
    throw new Error(`cannot find ${file} for the PowerShell parser (looked in ${[...besideBundle, `node_modules/${specifier}`].join(', ')})`);
  }
}

export function loadPowerShellParser(): Promise<Parser> {
  parserPromise ??= createParser().catch((error: unknown) => {
    parserPromise = undefined;
    throw error;
  });
  return parserPromise;
}

async function createParser(): Promise<Parser> {
  const runtime = locateWasm(RUNTIME_WASM);
  const grammar = locateWasm(GRAMMAR_WASM);
  // V8 tiers the grammar's WASM up with TurboFan in the background: ~10 s of CPU, and Node
  // waits for it before exiting (measured: `verify` took 20-30 s wall to exit, even with
  // process.exit). Liftoff alone loads faster and parses a 1,400-line script in ~30-100 ms.
  // Process-wide, but this is the only WASM the CLI runs.
  setFlagsFromString('--liftoff-only');
  const { Parser, Language } = await import('web-tree-sitter');
  await Parser.init({ locateFile: () => runtime });
  const language = await Language.load(grammar);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/** Parses PowerShell text; the caller owns the tree and must `delete()` it (WASM memory). */
export async function parsePowerShell(text: string): Promise<Tree> {
  const parser = await loadPowerShellParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
