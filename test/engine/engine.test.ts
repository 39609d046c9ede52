/**
 * The engine's pwsh-compatible command line: how scripts are started, what reaches
 * stdout/stderr, and exit codes. Expectations are pwsh 7's (about_Pwsh: "-File" and
 * "-Command" sections, exit code rules), so the suite also passes against a real pwsh.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { PowerShell } from 'node-powershell';
import { describeEngine, findPowerShell, runPowerShell } from '../support/engine.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rdsplan-engine-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const ADVANCED = `[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Position = 0)][string]$First = 'none',
    [string]$Name = 'default',
    [switch]$Flag
)
"first=$First name=$Name flag=$Flag"
"path=$PSCommandPath"
"whatif=$WhatIfPreference"
if ($PSCmdlet.ShouldProcess('HKLM\\SOFTWARE\\Contoso', 'Delete value')) { 'changed' }
`;

describeEngine('engine command line (-File)', () => {
  test('binds named parameters, switches and positionals, and sets $PSCommandPath', async () => {
    const file = script('params.ps1', ADVANCED);
    const r = await runPowerShell({ file, args: ['pos', '-Name', 'given value', '-Flag'] });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`first=pos name=given value flag=True\npath=${file}\nwhatif=False\nchanged\n`);
  });

  test('-Name:value and -Switch:$false forms', async () => {
    const file = script('colon.ps1', ADVANCED);
    const r = await runPowerShell({ file, args: ['-Name:v', '-Flag:$false'] });
    expect(r.stdout.split('\n')[0]).toBe('first=none name=v flag=False');
  });

  test('-WhatIf reaches ShouldProcess and prints pwsh\'s "What if:" line on stdout', async () => {
    const file = script('whatif.ps1', ADVANCED);
    const r = await runPowerShell({ file, args: ['-WhatIf'] });
    expect(r.exitCode).toBe(0);
    // The message format is ShouldProcess(target, action)'s, see
    // https://learn.microsoft.com/dotnet/api/system.management.automation.cmdlet.shouldprocess
    expect(r.stdout).toBe(
      `first=none name=default flag=False\npath=${file}\nwhatif=True\n` +
        'What if: Performing the operation "Delete value" on target "HKLM\\SOFTWARE\\Contoso".\n',
    );
  });

  test('exit N in the script is the process exit code', async () => {
    const r = await runPowerShell({ file: script('exit7.ps1', "'before'\nexit 7\n'after'\n") });
    expect(r.exitCode).toBe(7);
    expect(r.stdout).toBe('before\n');
  });

  test('exit in a nested script only sets $LASTEXITCODE; exit in a function of the main script ends it', async () => {
    const inner = script('inner.ps1', 'exit 3\n');
    const outer = script('outer.ps1', `& '${inner}'\n"after inner: $LASTEXITCODE"\nfunction Stop-Here { exit 9 }\nStop-Here\n'never'\n`);
    const r = await runPowerShell({ file: outer });
    expect(r.stdout).toBe('after inner: 3\n');
    expect(r.exitCode).toBe(9);
  });

  test('a normal end is 0 even when the last statement failed (about_Pwsh, -File)', async () => {
    const r = await runPowerShell({ file: script('soft.ps1', "Write-Error 'soft'\n") });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('soft');
  });

  test('an uncaught terminating error prints its message on stderr and exits 1', async () => {
    const r = await runPowerShell({ file: script('throw.ps1', "'before'\nthrow 'went wrong'\n'after'\n") });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toMatch(/^Exception: .*throw\.ps1:2\n/);
    expect(r.stderr).toContain('| went wrong');
  });

  test('a parse error exits 1 with the parser message on stderr and runs nothing', async () => {
    const r = await runPowerShell({ file: script('parse.ps1', "'first'\nif (\n") });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ParserError: .*parse\.ps1:2\n/);
    expect(r.stderr).toContain("Missing condition in if statement after 'if ('.");
  });

  test('a missing script file is a command-line error (exit 64), as in pwsh', async () => {
    const r = await runPowerShell({ file: join(dir, 'nope.ps1') });
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toContain('nope.ps1');
  });

  test('UTF-8 with BOM and CRLF line ends (the generated scripts\' encoding) run', async () => {
    const path = join(dir, 'bom.ps1');
    writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("param([string]$X)\r\n\"x=$X é\"\r\n")]));
    const r = await runPowerShell({ file: path, args: ['-X', 'y'] });
    expect(r.stdout).toBe('x=y é\n');
    expect(r.exitCode).toBe(0);
  });

  test('Set-StrictMode -Version 3.0: an unset variable is a statement-terminating error', async () => {
    const file = script('strict.ps1', "Set-StrictMode -Version 3.0\n'before'\n$value = $notSet\n'after'\n");
    const r = await runPowerShell({ file });
    // Statement-terminating only: the script goes on, as in pwsh.
    expect(r.stdout).toBe('before\nafter\n');
    expect(r.stderr).toContain("The variable '$notSet' cannot be retrieved because it has not been set.");
    expect(r.exitCode).toBe(0);
  });

  test("Set-StrictMode with $ErrorActionPreference = 'Stop' (the generated header) stops the script", async () => {
    const file = script(
      'strict-stop.ps1',
      "$ErrorActionPreference = 'Stop'\nSet-StrictMode -Version 3.0\n'before'\n$value = $notSet\n'after'\n",
    );
    const r = await runPowerShell({ file });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toContain("The variable '$notSet' cannot be retrieved because it has not been set.");
  });

  test("$ErrorActionPreference = 'Stop' makes Write-Error terminating", async () => {
    const file = script('stop.ps1', "$ErrorActionPreference = 'Stop'\n'before'\nWrite-Error 'fatal'\n'after'\n");
    const r = await runPowerShell({ file });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toContain('fatal');
  });

  test('try/catch catches a terminating error and $_ carries the message', async () => {
    const file = script('catch.ps1', "try { throw 'inner' } catch { \"caught: $($_.Exception.Message)\" }\n");
    const r = await runPowerShell({ file });
    expect(r).toEqual({ exitCode: 0, stdout: 'caught: inner\n', stderr: '' });
  });
});

describeEngine('engine command line (-Command)', () => {
  test('runs the text; objects use pwsh default formatting', async () => {
    const r = await runPowerShell({ command: "'text'; 42; [pscustomobject]@{ Name = 'a'; Size = 1 }" });
    expect(r.exitCode).toBe(0);
    // PSCustomObject with few properties renders as a table, framed by blank lines.
    expect(r.stdout).toBe('text\n42\n\nName Size\n---- ----\na       1\n\n');
  });

  test('exit N is the exit code', async () => {
    expect((await runPowerShell({ command: 'exit 5' })).exitCode).toBe(5);
  });

  test('without exit: 0 when the last statement succeeded, 1 when it failed (about_Pwsh, -Command)', async () => {
    expect((await runPowerShell({ command: "Write-Error 'x'; 'fine'" })).exitCode).toBe(0);
    const failed = await runPowerShell({ command: "'fine'; $x = 1 / 0" });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain('Attempted to divide by zero.');
  });

  test('Write-Error goes to stderr in ConciseView form, nothing on stdout', async () => {
    const r = await runPowerShell({ command: "Write-Error 'boom'" });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Write-Error: boom\n');
  });

  test('throw exits 1 with "Exception: message"', async () => {
    const r = await runPowerShell({ command: "throw 'bad'" });
    expect(r).toEqual({ exitCode: 1, stdout: '', stderr: 'Exception: bad\n' });
  });

  test('warnings, verbose (when asked) and Write-Host reach stdout with pwsh\'s prefixes', async () => {
    const r = await runPowerShell({
      command: "Write-Warning 'w'; Write-Verbose 'hidden'; Write-Verbose 'shown' -Verbose; Write-Host 'host'",
    });
    expect(r.stdout).toBe('WARNING: w\nVERBOSE: shown\nhost\n');
    expect(r.stderr).toBe('');
  });
});

describeEngine('engine command line (-Command - over stdin)', () => {
  test('runs each complete line; an incomplete one collects lines until a blank line', async () => {
    const r = await runPowerShell({
      stdin: "'one'\nif ($true) {\n  'in block'\n}\n\n'two'\n",
    });
    expect(r.stdout).toBe('one\nin block\ntwo\n');
    expect(r.exitCode).toBe(0);
  });

  test('state persists between lines and exit N ends the session with N', async () => {
    const r = await runPowerShell({ stdin: "$n = 40\n$n + 2\nexit 3\n'never'\n" });
    expect(r.stdout).toBe('42\n');
    expect(r.exitCode).toBe(3);
  });

  test('an error on one line does not end the session', async () => {
    const r = await runPowerShell({ stdin: "throw 'first'\n'still here'\n" });
    expect(r.stdout).toBe('still here\n');
    expect(r.stderr).toContain('first');
  });

  test('node-powershell (-NoLogo -NoExit -Command -) can drive it', async () => {
    const found = findPowerShell();
    if ('skipReason' in found) throw new Error(found.skipReason);
    const saved = process.env.NODE_POWERSHELL;
    // node-powershell picks its executable from NODE_POWERSHELL.
    process.env.NODE_POWERSHELL = found.path;
    const ps = new PowerShell({ executableOptions: { '-NoProfile': true }, invocationTimeout: 30_000 });
    try {
      const first = await ps.invoke("$greeting = 'hello'; \"$greeting from the session\"");
      expect(first.raw).toBe('hello from the session');
      const second = await ps.invoke('$greeting.ToUpper()');
      expect(second.raw).toBe('HELLO');
    } finally {
      await ps.dispose();
      if (saved === undefined) delete process.env.NODE_POWERSHELL;
      else process.env.NODE_POWERSHELL = saved;
    }
  });
});
