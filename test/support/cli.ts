/** The CLI in-process, as a user calls it; the commands that run scripts get the tests' pwsh. */
import { PassThrough } from 'node:stream';
import { expect } from '@jest/globals';
import { main } from '../../src/cli/main.js';
import { powershellPath } from './powershell.js';

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

/** What the CLI sees of the environment: the PowerShell to use and PATH. */
export function runEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { RDSPLAN_POWERSHELL: powershellPath(), PATH: process.env.PATH, ...extra };
}

export async function rdsplan(args: string[], extra: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  return runCli(args, { env: extra.env ?? runEnv(), ...(extra.cwd ? { cwd: extra.cwd } : {}) });
}

/** The approval token `review --format json` prints for a plan. */
export async function approvalToken(plan: string): Promise<string> {
  const r = await runCli(['review', plan, '--format', 'json']);
  expect(r.code).toBe(0);
  const token = JSON.parse(r.stdout).approvalToken as string;
  expect(token).toMatch(/^sha256:[0-9a-f]{64}$/);
  return token;
}
