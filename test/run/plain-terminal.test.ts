/**
 * Real pwsh writes VT escape codes into pipes when the terminal looks capable (TERM=xterm, no
 * NO_COLOR): error text in colour, and a `ESC[?1h ESC[?1l` prefix in `-Command -` mode. Every
 * PowerShell rdsplan starts must come back as plain text, whatever environment it was given.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { executeScript } from '../../src/run/execute.js';
import { PowerShellSession } from '../../src/run/session.js';
import { powershellPath } from '../support/powershell.js';

const ESC = '\x1b';
const colourful = { TERM: 'xterm-256color', PATH: process.env.PATH ?? '' };

function errorScript(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rdsplan-plain-'));
  const file = join(dir, 'fails.ps1');
  writeFileSync(file, "[Console]::Out.WriteLine('@@rdsplan {\"event\":\"start\",\"runId\":\"r\",\"host\":\"h\"}')\nWrite-Error 'Access is denied.'\nthrow 'boom'\n");
  return file;
}

describe('plain text from PowerShell', () => {
  test('the control: this pwsh, started without rdsplan\'s settings, does colour its errors', async () => {
    const r = await execa(powershellPath(), ['-NoProfile', '-NonInteractive', '-File', errorScript()], { env: colourful, extendEnv: false, reject: false });
    expect(r.stderr).toContain(ESC);
  });

  test('a one-shot run (execute) gets no escape codes, however the environment looks', async () => {
    const r = await executeScript({ powershell: { path: powershellPath(), source: 'RDSPLAN_POWERSHELL' }, scriptPath: errorScript(), parameters: {}, timeoutMs: 60_000, env: colourful });
    expect(r.events).toEqual([expect.objectContaining({ event: 'start', runId: 'r' })]);
    expect(r.stderr).toContain('Access is denied.');
    expect(r.stderr).toContain('boom');
    expect(r.stderr).not.toContain(ESC);
    expect(r.exitCode).toBe(1);
  });

  test('the interactive session: its $PID is read, errors come back plain', async () => {
    const session = await PowerShellSession.start({ powershell: { path: powershellPath(), source: 'RDSPLAN_POWERSHELL' }, timeoutMs: 60_000, env: colourful });
    try {
      expect(session.powershellPid).toEqual(expect.any(Number));
      const r = await session.runScript(errorScript(), {});
      expect(r.events).toEqual([expect.objectContaining({ event: 'start' })]);
      expect(r.stderr).toContain('boom');
      expect(r.stderr + r.output.join('\n')).not.toContain(ESC);
    } finally {
      await session.close();
    }
  });
});
