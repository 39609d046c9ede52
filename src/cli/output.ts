import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, EXIT, type Io } from './command.js';

/** Writes to --out when given (reporting failures as one message), else to stdout. */
export function emit(io: Io, out: string | undefined, content: string | Uint8Array, stdoutText?: string): void {
  if (out === undefined) {
    io.stdout.write(stdoutText ?? content);
    return;
  }
  try {
    writeFileSync(resolve(io.cwd, out), content);
  } catch (error) {
    throw new CliError(`cannot write ${out}: ${(error as Error).message}`, EXIT.failed);
  }
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function wantsColor(io: Io, out: string | undefined): boolean {
  if (out !== undefined || (io.env.NO_COLOR ?? '') !== '') return false;
  if ((io.env.FORCE_COLOR ?? '') !== '' && io.env.FORCE_COLOR !== '0') return true;
  return io.stdout.isTTY === true;
}
