/**
 * Argument parsing for one command: `--flag value`, `--flag=value`, boolean switches and
 * positionals. Anything unknown is a usage error (exit 2), never silently ignored.
 */
export class UsageError extends Error {}

export interface FlagSpec {
  /** Takes a value (`--out file`); otherwise a switch. */
  value?: boolean;
  repeat?: boolean;
  choices?: readonly string[];
  description: string;
}

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  positionals: { min: number; max: number; name: string };
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
}

export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs['flags'] = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg} for rdsplan ${spec.name}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const flag = spec.flags[name];
    if (!flag) throw new UsageError(`unknown option --${name} for rdsplan ${spec.name}`);
    if (!flag.value) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (flag.choices && !flag.choices.includes(value)) throw new UsageError(`--${name} must be one of ${flag.choices.join(', ')}, not ${JSON.stringify(value)}`);
    if (flag.repeat) flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else if (flags[name] !== undefined) throw new UsageError(`--${name} given twice`);
    else flags[name] = value;
  }
  if (flags.help) return { positionals, flags };
  const { min, max, name } = spec.positionals;
  if (positionals.length < min) throw new UsageError(`rdsplan ${spec.name} needs ${name}`);
  if (positionals.length > max) throw new UsageError(`rdsplan ${spec.name} takes ${max === 0 ? 'no arguments' : `at most ${max} ${name}`}, got ${positionals.length}`);
  return { positionals, flags };
}

export function helpText(spec: CommandSpec): string {
  const width = Math.max(...Object.keys(spec.flags).map((f) => f.length + (spec.flags[f]!.value ? 8 : 0)));
  const lines = Object.entries(spec.flags).map(([name, flag]) => {
    const left = `--${name}${flag.value ? ' <value>' : ''}`;
    return `  ${left.padEnd(width + 4)}${flag.description}${flag.choices ? ` (${flag.choices.join(', ')})` : ''}`;
  });
  return `usage: ${spec.usage}\n\n${spec.summary}\n\noptions:\n${lines.join('\n')}\n`;
}
