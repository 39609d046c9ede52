import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { planActions, isPreset } from '../actions/index.js';
import { API_VERSION } from '../plan/schema/plan-schema.js';
import { DEFAULT_OPTIONS } from '../plan/validate.js';
import { didYouMean } from '../plan/suggest.js';
import { templatesRoot } from '../render/templates.js';
import { CliError, COMMON_FLAGS, EXIT, type Command } from './command.js';
import { emit } from './output.js';

function presetNames(): string[] {
  return planActions().filter(isPreset).map((p) => p.name);
}

/**
 * `$schema` as a path from the plan's folder to this installation's schemas/plan.schema.json
 * (shipped beside ps-templates/), so an editor finds it offline; the schema's https $id is not
 * served anywhere. Forward slashes: it is a URI reference. Another drive has no relative path.
 */
export function schemaReference(planFolder: string): string {
  const schema = join(dirname(templatesRoot()), 'schemas', 'plan.schema.json');
  const path = relative(planFolder, schema);
  return isAbsolute(path) ? pathToFileURL(schema).href : path.split(sep).join('/');
}

export const GITIGNORE_NOTE = 'rdsplan keeps run records and backups in .rdsplan/ where it runs: add the line `.rdsplan/` to the .gitignore of your plans repository';

export const initCommand: Command = {
  spec: {
    name: 'init',
    usage: 'rdsplan init <preset> [--out plan.json] [--force]',
    summary: `Write a starter plan for a preset: ${presetNames().join(', ')}.`,
    flags: {
      ...COMMON_FLAGS,
      out: { value: true, description: 'write the plan to this file (default: stdout)' },
      force: { description: 'overwrite --out if it exists' },
    },
    positionals: { min: 1, max: 1, name: 'a preset name' },
  },
  async run({ positionals, flags }, io) {
    const name = positionals[0]!;
    const preset = planActions().filter(isPreset).find((p) => p.name === name);
    if (!preset) throw new CliError(`unknown preset "${name}"${didYouMean(name, presetNames())}; presets: ${presetNames().join(', ')}`, EXIT.usage);
    const out = flags.out as string | undefined;
    const short = name.replace(/^rds\./, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const plan = {
      $schema: schemaReference(out === undefined ? io.cwd : dirname(resolve(io.cwd, out))),
      apiVersion: API_VERSION,
      name: short,
      description: preset.summary,
      change: { id: 'CHG0000000', requestedBy: 'someone@example.com' },
      targets: ['localhost'],
      options: { backupDirectory: DEFAULT_OPTIONS.backupDirectory, onError: DEFAULT_OPTIONS.onError },
      steps: [{ id: short.split('-')[0], action: name, ...preset.starter }],
    };
    if (out !== undefined && existsSync(resolve(io.cwd, out)) && !flags.force) throw new CliError(`${out} exists; use --force to overwrite it`, EXIT.failed);
    // A plans repository starts empty: `init --out plans/x.json` makes plans/ rather than fail on it.
    if (out !== undefined) {
      try {
        mkdirSync(dirname(resolve(io.cwd, out)), { recursive: true });
      } catch (error) {
        throw new CliError(`cannot create the folder for ${out}: ${(error as Error).message}`, EXIT.failed);
      }
    }
    emit(io, out, `${JSON.stringify(plan, null, 2)}\n`);
    io.stderr.write(`note: ${GITIGNORE_NOTE}\n`);
    return EXIT.ok;
  },
};
