import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The ps-templates/ folder, found by walking up from this module: it sits beside src/ in the
 * repository and beside dist/ in the package, so one lookup serves tests and the CLI.
 */
export type Platform = 'windows' | 'sim';

let root: string | undefined;

export function templatesRoot(): string {
  if (root) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'ps-templates');
    if (existsSync(join(candidate, 'runtime'))) return (root = candidate);
    if (dirname(dir) === dir) throw new Error('the ps-templates folder was not found beside the rdsplan installation');
  }
}

export interface TemplateFile {
  /** Path relative to ps-templates/, with forward slashes. */
  name: string;
  text: string;
}

/** Ordinal order, so the script does not depend on the file system's listing order; Pester tests stay out. */
function folder(relative: string): TemplateFile[] {
  const dir = join(templatesRoot(), relative);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ps1') && !file.endsWith('.Tests.ps1'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((file) => ({ name: `${relative}/${file}`, text: readFileSync(join(dir, file), 'utf8').replace(/^\uFEFF/, '') }));
}

export function runtimeTemplates(): TemplateFile[] {
  return folder('runtime');
}

export function platformTemplates(platform: Platform): TemplateFile[] {
  return folder(`platform/${platform}`);
}

export function actionTemplate(action: string): TemplateFile {
  const name = `actions/${action}.ps1`;
  const path = join(templatesRoot(), name);
  if (!existsSync(path)) throw new Error(`no template ${name} for action ${action}`);
  return { name, text: readFileSync(path, 'utf8').replace(/^\uFEFF/, '') };
}
