import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * src/cli parses arguments, calls the apply stage (src/apply) and prints. Running PowerShell,
 * opening sessions and writing run records belong to the stage: the command line reaches none
 * of the modules that do it, and the stage never reaches back into the command line.
 */
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const RUNNING = /from '(?:node:child_process|execa|\.\.\/run\/(?:session|execute|process-tree|private-dir|run-plan|find-powershell|records\/recorded-run|records\/writer)\.js)'/;

function offenders(stage: string, pattern: RegExp): string[] {
  return (readdirSync(`${SRC}${stage}`, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .filter((file) => pattern.test(readFileSync(`${SRC}${stage}/${file}`, 'utf8')))
    .map((file) => `${stage}/${file}`);
}

describe('the apply stage between run and cli', () => {
  test('the patterns see what they look for', () => {
    expect(RUNNING.test("import { PowerShellSession } from '../run/session.js';")).toBe(true);
    expect(RUNNING.test("import { hostExitCode } from '../run/host-run.js';")).toBe(false);
  });

  test('src/cli starts no process and writes no run record itself', () => {
    expect(offenders('cli', RUNNING)).toEqual([]);
  });

  test('src/apply imports nothing from src/cli', () => {
    expect(offenders('apply', /from '\.\.\/cli\//)).toEqual([]);
  });
});
