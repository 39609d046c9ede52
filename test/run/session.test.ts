/**
 * src/run/session.ts: one node-powershell session, lines built with psLiteral, protocol
 * events parsed as they stream, a timeout that kills the process tree.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unquotePowerShell } from '../../src/render/quote.js';
import type { FoundPowerShell } from '../../src/run/find-powershell.js';
import type { RunEvent } from '../../src/run/protocol.js';
import { PowerShellSession, psLiteral, scriptCommand, SessionEndedError, SessionTimeoutError } from '../../src/run/session.js';
import { isGone } from '../support/fake-powershell.js';
import { powershellPath } from '../support/powershell.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rdsplan-session-'));

/** Quotes, typographic quotes, $(), backticks, ;, #, newlines, a NUL-free control char, non-ASCII, a leading dash. */
function hostile(canary: string): string {
  const write = `[System.IO.File]::WriteAllText('${canary}', 'pwned')`;
  return `-x' ; ${write} ; '\u2019; ${write}; \u2018 $(${write}) \`$(${write}) "$(${write})" \`n\r\n${write}\n# ;\t@{ a = 1 } | % { } & { ${write} } ü 𝄞 \u2028 end`;
}

async function waitGone(pid: number, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (isGone(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return isGone(pid);
}

describe('psLiteral / scriptCommand (no PowerShell needed)', () => {
  test('printable ASCII is one quotePowerShell literal', () => {
    expect(psLiteral('')).toBe("''");
    expect(psLiteral("it's $(x) `n ;")).toBe("'it''s $(x) `n ;'");
  });

  test('everything else becomes [char] codes; the result is one line of printable ASCII', () => {
    expect(psLiteral('a\nb')).toBe("('' + 'a' + [char]10 + 'b')");
    expect(psLiteral('\u2019')).toBe("('' + [char]8217)");
    const value = hostile('/tmp/x');
    const literal = psLiteral(value);
    expect(literal).toMatch(/^[\x20-\x7e]+$/);
    // Reassembling the pieces as PowerShell would gives the value back.
    const rebuilt = literal
      .slice(1, -1)
      .split(/ \+ (?=(?:[^']*'[^']*')*[^']*$)/)
      .map((part) => (part.startsWith('[char]') ? String.fromCharCode(Number(part.slice(6))) : unquotePowerShell(part)))
      .join('');
    expect(rebuilt).toBe(value);
  });

  test('scriptCommand: switches, values as literals, parameter names checked', () => {
    expect(scriptCommand("/tmp/a b/it's.ps1", { WhatIf: true, RunId: 'r1', TargetName: "o'neil" })).toBe("& '/tmp/a b/it''s.ps1' -WhatIf -RunId 'r1' -TargetName 'o''neil'");
    expect(() => scriptCommand('/x.ps1', { 'A;B': 'x' })).toThrow(/not a parameter name/);
  });
});

describe('PowerShellSession', () => {
  const found = { path: powershellPath() };
  const powershell: FoundPowerShell = { path: found.path, source: 'RDSPLAN_POWERSHELL' };
  const open: PowerShellSession[] = [];
  const start = async (options: Partial<Parameters<typeof PowerShellSession.start>[0]> = {}) => {
    const session = await PowerShellSession.start({ powershell, timeoutMs: 60_000, ...options });
    open.push(session);
    return session;
  };
  afterEach(async () => {
    for (const session of open.splice(0)) await session.kill();
  });

  test('one process for every command: $PID and variables persist; close() ends it', async () => {
    const session = await start();
    expect(session.powershellPid).toEqual(expect.any(Number));
    const first = await session.run('$global:kept = 41; [Console]::Out.WriteLine($PID)');
    const second = await session.run('[Console]::Out.WriteLine([string]($global:kept + 1) + \' \' + $PID)');
    expect(first.output).toEqual([String(session.powershellPid)]);
    expect(second.output).toEqual([`42 ${session.powershellPid}`]);
    const pid = session.pid!;
    await session.close();
    expect(session.alive).toBe(false);
    expect(await waitGone(pid)).toBe(true);
    await expect(session.run('1')).rejects.toBeInstanceOf(SessionEndedError);
  });

  test('runScript: protocol events stream to onEvent, exit code and stderr come back, the session survives an error', async () => {
    const dir = tmp();
    const script = join(dir, 'events.ps1');
    writeFileSync(
      script,
      [
        '[CmdletBinding(SupportsShouldProcess = $true)]',
        "param([string] $RunId = '', [string] $Fail = '')",
        "$ErrorActionPreference = 'Stop'",
        "Write-Host ('@@rdsplan {\"event\":\"start\",\"runId\":\"' + $RunId + '\",\"host\":\"h\",\"time\":\"t\",\"mode\":\"check\"}')",
        "Write-Host 'plain output'",
        "if ($Fail -ne '') { throw $Fail }",
        "Write-Host ('@@rdsplan {\"event\":\"summary\",\"runId\":\"' + $RunId + '\",\"host\":\"h\",\"time\":\"t\",\"status\":\"succeeded\",\"counts\":{},\"whatIf\":' + ([string]$WhatIfPreference).ToLower() + '}')",
        'exit 3',
        '',
      ].join('\n'),
    );
    const session = await start();
    const seen: [RunEvent, string][] = [];
    const ok = await session.runScript(script, { WhatIf: true, RunId: 'r1' }, { onEvent: (e, line) => seen.push([e, line]) });
    expect(ok.exitCode).toBe(3);
    expect(ok.events.map((e) => e.event)).toEqual(['start', 'summary']);
    expect(seen.map(([e]) => e)).toEqual(ok.events);
    expect(seen[0]![1]).toBe('@@rdsplan {"event":"start","runId":"r1","host":"h","time":"t","mode":"check"}');
    expect((ok.events[1] as unknown as { whatIf: boolean }).whatIf).toBe(true);
    expect(ok.output).toEqual(['plain output']);
    expect(ok.stderr).toBe('');

    const failed = await session.runScript(script, { RunId: 'r2', Fail: 'boom' });
    expect(failed.exitCode).toBe(1);
    expect(failed.events.map((e) => e.event)).toEqual(['start']);
    expect(failed.stderr).toContain('boom');
    // -WhatIf of the first run did not leak into the session.
    const again = await session.runScript(script, { RunId: 'r3' });
    expect(again.exitCode).toBe(3);
    expect((again.events[1] as unknown as { whatIf: boolean }).whatIf).toBe(false);
  });

  test('hostile values reach the script intact and run nothing', async () => {
    const dir = tmp();
    const canary = join(dir, 'canary.txt');
    const out = join(dir, 'received.txt');
    const script = join(dir, "it's a $(script) `; name.ps1");
    writeFileSync(script, "param([string] $TargetName, [string] $Out)\n[System.IO.File]::WriteAllText($Out, $TargetName, [System.Text.UTF8Encoding]::new($false))\n");
    const session = await start();
    const value = hostile(canary);
    const r = await session.runScript(script, { TargetName: value, Out: out });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(value);
    expect(existsSync(canary)).toBe(false);
  });

  test('only single lines of printable ASCII are sent', async () => {
    const session = await start();
    await expect(session.run('1\n2')).rejects.toThrow(/one non-empty line of printable ASCII/);
    await expect(session.run("'\u00fc'")).rejects.toThrow(/printable ASCII/);
    await expect(session.run('  ')).rejects.toThrow(/non-empty/);
    expect((await session.run('[Console]::Out.WriteLine(1 + 1)')).output).toEqual(['2']);
  });

  test('$NODE_POWERSHELL does not override the PowerShell rdsplan chose', async () => {
    const saved = process.env.NODE_POWERSHELL;
    process.env.NODE_POWERSHELL = '/nonexistent/powershell';
    try {
      const session = await start();
      expect(session.powershellPid).toEqual(expect.any(Number));
    } finally {
      if (saved === undefined) delete process.env.NODE_POWERSHELL;
      else process.env.NODE_POWERSHELL = saved;
    }
  });

  test('a command past its timeout: the process is killed, SessionTimeoutError, the session is closed', async () => {
    const session = await start({ timeoutMs: 1_000 });
    const pid = session.pid!;
    const started = Date.now();
    const error = await session.run('[System.Threading.Thread]::Sleep(60000)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionTimeoutError);
    expect((error as Error).message).toMatch(/timed out after 1 s; its process \(pid \d+\) and everything it started were killed/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await waitGone(pid)).toBe(true);
    expect(session.alive).toBe(false);
    await expect(session.run('1')).rejects.toBeInstanceOf(SessionEndedError);
  });

  const onLinux = process.platform === 'linux' ? test : test.skip;

  onLinux('the timeout kills the whole tree: a wrapper that hangs with a child of its own', async () => {
    const dir = tmp();
    const pids = join(dir, 'pids');
    const wrapper = join(dir, 'slow-powershell');
    // Starts a grandchild, then never answers (no exec: the shell stays the parent).
    writeFileSync(wrapper, `#!/bin/sh\nsleep 300 &\necho "$$ $!" > '${pids}'\nwait\n`);
    chmodSync(wrapper, 0o755);
    const error = await PowerShellSession.start({ powershell: { path: wrapper, source: 'RDSPLAN_POWERSHELL' }, timeoutMs: 60_000, startTimeoutMs: 1_500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionTimeoutError);
    const [shell, sleeper] = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    expect(await waitGone(shell!)).toBe(true);
    expect(await waitGone(sleeper!)).toBe(true);
  });

  test('a PowerShell that cannot start is a SessionEndedError, not a crash', async () => {
    const error = await PowerShellSession.start({ powershell: { path: '/nonexistent/pwsh', source: 'RDSPLAN_POWERSHELL' }, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionEndedError);
    expect((error as Error).message).toMatch(/could not be started|ended unexpectedly/);
  });
});
