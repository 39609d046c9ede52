import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { planActions, isPreset } from '../actions/index.js';
import { API_VERSION } from '../plan/schema/plan-schema.js';
import { DEFAULT_OPTIONS } from '../plan/validate.js';
import { didYouMean } from '../plan/suggest.js';
import { CliError, COMMON_FLAGS, EXIT, type Command } from './command.js';
import { emit } from './output.js';

function presetNames(): string[] {
  return planActions().filter(isPreset).map((p) => p.name);
}

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
    const short = name.replace(/^rds\./, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const plan = {
      $schema: 'https://rdsplan.dev/schemas/plan.schema.json',
      apiVersion: API_VERSION,
      name: short,
      description: preset.summary,
      change: { id: 'CHG0000000', requestedBy: 'someone@example.com' },
      targets: ['localhost'],
      options: { backupDirectory: DEFAULT_OPTIONS.backupDirectory, onError: DEFAULT_OPTIONS.onError },
      steps: [{ id: short.split('-')[0], action: name, ...preset.starter }],
    };
    const out = flags.out as string | undefined;
    if (out !== undefined && existsSync(resolve(io.cwd, out)) && !flags.force) throw new CliError(`${out} exists; use --force to overwrite it`, EXIT.failed);
    emit(io, out, `${JSON.stringify(plan, null, 2)}\n`);
    return EXIT.ok;
  },
};
