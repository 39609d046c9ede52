import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PowerShell, type PowerShellOptions } from 'node-powershell';
import { PLAIN_OUTPUT_STATEMENT } from '../render/plain-output.js';
import { quotePowerShell } from '../render/quote.js';
import type { FoundPowerShell } from './find-powershell.js';
import { killTree } from './process-tree.js';
import { LineSplitter, parseProtocolLine, type RunEvent } from './protocol.js';
import { plainTerminalEnv, stripTerminalControls } from './terminal-text.js';

/**
 * One long-lived PowerShell session (`apply --interactive`), driven through node-powershell
 * (DESIGN.md, "Running PowerShell"). node-powershell is unmaintained and its converters and
 * template helpers (`PowerShell.command`, `$`, `$$`, `invoke` with interpolation) build code
 * from values without quoting them: none of them is used here. Every command is one line of
 * printable ASCII, and every value in it is a literal made by `psLiteral` (quotePowerShell
 * for the printable ASCII, `[char]` codes for everything else, so a newline in a value can
 * neither end the line nor depend on the stdin code page of Windows PowerShell 5.1).
 *
 *   const session = await PowerShellSession.start({ powershell, timeoutMs });
 *   const r = await session.runScript(path, { RunId: id, WhatIf: true }, { onEvent });
 *   await session.close();
 *
 * A command that runs longer than its timeout kills the whole process tree (the PowerShell,
 * and whatever it or a wrapper started) and rejects with SessionTimeoutError; the session is
 * unusable afterwards.
 */

export interface SessionOptions {
  powershell: FoundPowerShell;
  /** Default limit for one command (run/runScript may pass their own). */
  timeoutMs: number;
  /** Limit for starting PowerShell and its first answer (default 60 s): not part of a run's budget. */
  startTimeoutMs?: number;
  cwd?: string;
  /** The child's environment (default: this process's), always with plainTerminalEnv over it. */
  env?: NodeJS.ProcessEnv;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Each protocol event as it streams, with its line exactly as PowerShell printed it. */
  onEvent?: (event: RunEvent, line: string) => void;
}

export interface SessionRunResult {
  /** Protocol events, in arrival order. */
  events: RunEvent[];
  /** Non-protocol stdout lines (empty lines dropped). */
  output: string[];
  stderr: string;
  protocolErrors: string[];
}

export interface ScriptRunResult extends SessionRunResult {
  /** `$LASTEXITCODE` after the script (`exit N`), 1 when it ended with an uncaught terminating error. */
  exitCode: number | undefined;
}

/** The command ran past its timeout; the process tree was killed. */
export class SessionTimeoutError extends Error {
  override name = 'SessionTimeoutError';
  constructor(
    readonly timeoutMs: number,
    readonly pid: number | undefined,
  ) {
    super(`the PowerShell session timed out after ${formatSeconds(timeoutMs)}; its process${pid === undefined ? '' : ` (pid ${pid})`} and everything it started were killed`);
  }
}

/** The PowerShell process is gone (exited, killed, or never started). */
export class SessionEndedError extends Error {
  override name = 'SessionEndedError';
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Printable ASCII that may stand inside a single-quoted literal as it is. */
const PLAIN = /^[\x20-\x7e]$/;

/**
 * A PowerShell expression for `value` that is one line of printable ASCII: runs of printable
 * ASCII go through quotePowerShell, every other UTF-16 code unit becomes `[char]N`.
 * `'a'`, or `('a' + [char]10 + 'b')` when it needs codes.
 */
export function psLiteral(value: string): string {
  const parts: string[] = [];
  let run = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (PLAIN.test(c)) {
      run += c;
      continue;
    }
    if (run !== '') parts.push(quotePowerShell(run));
    run = '';
    parts.push(`[char]${c.charCodeAt(0)}`);
  }
  if (run !== '') parts.push(quotePowerShell(run));
  if (parts.length === 0) return "''";
  if (parts.length === 1 && run !== '') return parts[0]!;
  // A leading '' makes `+` concatenate strings even when the first part is a [char].
  return `(${["''", ...parts].join(' + ')})`;
}

/** `-Name <literal>` / `-Switch` for each entry; names are checked, values go through psLiteral. */
export function psParameters(parameters: Record<string, string | true>): string {
  return Object.entries(parameters)
    .map(([name, value]) => {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`not a parameter name: ${name}`);
      return value === true ? `-${name}` : `-${name} ${psLiteral(value)}`;
    })
    .join(' ');
}

/**
 * Wraps a statement so that its exit status comes back on a marker line: `$LASTEXITCODE` as
 * the script's `exit` left it, 1 after an uncaught terminating error (reported on stderr).
 */
export function withExitMarker(statement: string, marker: string): string {
  return (
    `$global:LASTEXITCODE = 0; try { ${statement} } catch { [Console]::Error.WriteLine('rdsplan: ' + $_.Exception.Message); $global:LASTEXITCODE = 1 }; ` +
    `[Console]::Out.WriteLine(${quotePowerShell(`${marker} `)} + $global:LASTEXITCODE)`
  );
}

/** `& '<script>' -Name 'value' … -Switch`: one line, every value a literal. */
export function scriptCommand(scriptPath: string, parameters: Record<string, string | true>): string {
  const args = psParameters(parameters);
  return `& ${psLiteral(scriptPath)}${args === '' ? '' : ` ${args}`}`;
}

/** A command line is one line of printable ASCII, or it is not sent. */
function assertOneLine(line: string): void {
  if (line.trim() === '' || !/^[\x20-\x7e]*$/.test(line)) {
    throw new Error('a session command must be one non-empty line of printable ASCII (values go through psLiteral)');
  }
}

type InvocationResult = Awaited<ReturnType<PowerShell['invoke']>>;

/** node-powershell's PowerShell, except that the executable is exactly the one given. */
class PinnedPowerShell extends PowerShell {
  // node-powershell lets $NODE_POWERSHELL override the executable option; rdsplan decides
  // which PowerShell runs (findPowerShell), so only the option counts.
  protected override setExecutable({ executable }: { executable?: string }): string {
    if (!executable) throw new Error('no PowerShell executable given');
    return executable;
  }
}

/** The node-powershell internals this wrapper needs (private in its typings). */
interface ShellInternals {
  process: ChildProcess;
  exitPromise: Promise<void>;
}

export class PowerShellSession {
  /** The PowerShell's own `$PID` (a wrapper's child when the executable is a launcher). */
  powershellPid: number | undefined;
  private readonly marker = `@@rdsplan-session-${randomBytes(8).toString('hex')}`;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  private current: { events: RunEvent[]; protocolErrors: string[]; onEvent?: (event: RunEvent, line: string) => void } | undefined;
  private readonly splitter = new LineSplitter();
  private busy = false;
  private killed = false;

  private constructor(
    private readonly shell: PowerShell,
    private readonly options: SessionOptions,
  ) {
    const internals = shell as unknown as ShellInternals;
    this.child = internals.process;
    // node-powershell's exit promise rejects when the process ends badly; nobody else awaits it.
    internals.exitPromise.catch(() => {});
    // A write after the process died raises EPIPE on stdin; node-powershell listens only once.
    shell.streams.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo ??= { code, signal };
        resolve();
      });
      this.child.once('error', (error) => {
        this.exitInfo ??= { code: null, signal: null, error };
        resolve();
      });
    });
    shell.streams.stdout.on('data', (chunk: string | Buffer) => this.splitter.push(chunk.toString(), (line) => this.onLine(line)));
  }

  /** Starts PowerShell and waits for its first answer (its `$PID`). */
  static async start(options: SessionOptions): Promise<PowerShellSession> {
    const shellOptions: PowerShellOptions = {
      executable: options.powershell.path,
      executableOptions: { '-NoProfile': true, '-NonInteractive': true, '-ExecutionPolicy': 'Bypass' },
      spawnOptions: { env: { ...(options.env ?? process.env), ...plainTerminalEnv }, windowsHide: true, ...(options.cwd ? { cwd: options.cwd } : {}) },
      throwOnInvocationError: false,
      invocationTimeout: 0,
    };
    const session = new PowerShellSession(new PinnedPowerShell(shellOptions), options);
    const answer = await session.run(`${PLAIN_OUTPUT_STATEMENT}; [Console]::Out.WriteLine($PID)`, { timeoutMs: options.startTimeoutMs ?? 60_000 });
    const pid = Number(answer.output.at(-1));
    session.powershellPid = Number.isInteger(pid) && pid > 0 ? pid : undefined;
    return session;
  }

  /** The pid of the process node-powershell started (the executable itself, or its launcher). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined && !this.killed;
  }

  private onLine(line: string): void {
    const current = this.current;
    if (!current) return;
    try {
      const event = parseProtocolLine(line);
      if (event) {
        current.events.push(event);
        current.onEvent?.(event, line);
      }
    } catch (error) {
      current.protocolErrors.push((error as Error).message);
    }
  }

  /** Runs one command line (printable ASCII, built with psLiteral) and waits for it to finish. */
  async run(line: string, options: RunOptions = {}): Promise<SessionRunResult> {
    assertOneLine(line);
    if (!this.alive) throw new SessionEndedError(this.endedMessage());
    if (this.busy) throw new Error('the session runs one command at a time');
    this.busy = true;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const current = { events: [] as RunEvent[], protocolErrors: [] as string[], ...(options.onEvent ? { onEvent: options.onEvent } : {}) };
    this.current = current;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void this.kill();
    }, timeoutMs);
    try {
      const invocation = this.shell.invoke(line).then(
        (record) => ({ record }),
        (error: unknown) => ({ error }),
      );
      const outcome = await Promise.race([invocation, this.exited.then(() => ({ ended: true as const }))]);
      if (timedOut) {
        await this.exited;
        throw new SessionTimeoutError(timeoutMs, this.pid);
      }
      if ('ended' in outcome || 'error' in outcome || !this.alive) {
        await this.kill();
        throw new SessionEndedError(this.endedMessage());
      }
      return this.resultOf(outcome.record, current);
    } finally {
      clearTimeout(timer);
      this.current = undefined;
      this.busy = false;
    }
  }

  /** Runs a script file in this session (`& '<path>' -Name 'value' …`) and reports its exit code. */
  async runScript(scriptPath: string, parameters: Record<string, string | true>, options: RunOptions = {}): Promise<ScriptRunResult> {
    return this.runWithExitCode(scriptCommand(scriptPath, parameters), options);
  }

  /** Runs a statement wrapped so its exit status comes back (see withExitMarker). */
  async runWithExitCode(statement: string, options: RunOptions = {}): Promise<ScriptRunResult> {
    const result = await this.run(withExitMarker(statement, this.marker), options);
    let exitCode: number | undefined;
    const output = result.output.filter((line) => {
      if (!line.startsWith(`${this.marker} `)) return true;
      const code = Number(line.slice(this.marker.length + 1));
      exitCode = Number.isInteger(code) ? code : undefined;
      return false;
    });
    return { ...result, output, exitCode };
  }

  private resultOf(record: InvocationResult, current: { events: RunEvent[]; protocolErrors: string[] }): SessionRunResult {
    const stdout = stripTerminalControls(record.stdout?.toString('utf8') ?? '');
    return {
      events: current.events,
      output: stdout.split(/\r?\n/).filter((line) => line !== '' && !line.startsWith('@@rdsplan ')),
      stderr: stripTerminalControls(record.stderr?.toString('utf8') ?? ''),
      protocolErrors: current.protocolErrors,
    };
  }

  private endedMessage(): string {
    if (this.killed) return 'the PowerShell session was killed';
    const info = this.exitInfo;
    if (info?.error) return `PowerShell could not be started: ${info.error.message}`;
    if (info) return `the PowerShell session ended unexpectedly (${info.signal ? `signal ${info.signal}` : `exit code ${String(info.code)}`})`;
    return 'the PowerShell session ended unexpectedly';
  }

  /** Kills the process tree at once (the timeout's way out). */
  async kill(): Promise<void> {
    if (this.exitInfo !== undefined) return;
    this.killed = true;
    await killTree(this.child);
    await this.exited;
  }

  /** Ends the session: EOF on stdin (PowerShell exits after its last command), killed after `graceMs`. */
  async close(graceMs = 5_000): Promise<void> {
    if (this.exitInfo !== undefined) return;
    this.shell.streams.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const how = await Promise.race([this.exited.then(() => 'exited' as const), late]);
    clearTimeout(timer);
    if (how === 'late') await this.kill();
  }
}
