import type { CommandSpec, ParsedArgs } from './args.js';

/** A failure the user can act on: one message, a documented exit code, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const EXIT = { ok: 0, failed: 1, invalid: 2, usage: 2, pending: 3, refused: 4, notElevated: 5 } as const;

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
