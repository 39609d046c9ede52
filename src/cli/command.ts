import type { CommandSpec, ParsedArgs } from './args.js';

// The stage's failures and the command line's are one kind: main maps each to its message and exit code.
export { EXIT, StageError as CliError } from '../apply/outcome.js';

export interface Io {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs, io: Io): Promise<number>;
}

/** Flags every command shares. */
export const COMMON_FLAGS = {
  help: { description: 'show this help' },
} as const;

export const FORMAT_FLAG = { value: true, choices: ['text', 'json'], description: 'output format' } as const;
