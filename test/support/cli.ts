import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

/**
 * Runs the CLI in-process with captured streams, as a user would call it. `stdin`: what the
 * user types (the CLI gets a stdin stream holding it, then end of input; a TTY when `tty`).
 * Without it the CLI has no stdin at all, as before.
 */
export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; tty?: boolean; stdin?: string } = {}) {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdout.isTTY = options.tty === true;
  stderr.isTTY = options.tty === true;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  let stdin: (PassThrough & { isTTY?: boolean }) | undefined;
  if (options.stdin !== undefined) {
    stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
    stdin.isTTY = options.tty === true;
    stdin.end(options.stdin);
  }
  const code = await main(args, { ...(stdin ? { stdin } : {}), stdout, stderr, env: { ...(options.env ?? { PATH: process.env.PATH }) }, cwd: options.cwd ?? process.cwd() });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
