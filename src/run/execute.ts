import { execa } from 'execa';
import type { FoundPowerShell } from './find-powershell.js';
import { killTree } from './process-tree.js';
import { LineSplitter, parseProtocolLine, readFleetLine, type RunEvent } from './protocol.js';
import { plainTerminalEnv, stripTerminalControls } from './terminal-text.js';

/**
 * Runs one PowerShell script file as DESIGN.md prescribes (`-NoLogo -NoProfile
 * -NonInteractive -ExecutionPolicy Bypass -File`), hands protocol events to the caller as
 * they stream, keeps stderr, and kills the process tree on the timeout: execa's own timeout
 * kills only the direct child, and `pwsh` is often a launcher whose PowerShell would run on.
 */
export interface ExecuteOptions {
  powershell: FoundPowerShell;
  scriptPath: string;
  /** Script parameters: strings as `-Name value`, true as a `-Name` switch. Passed as argv, never through a shell. */
  parameters: Record<string, string | true>;
  timeoutMs: number;
  env?: Record<string, string>;
  cwd?: string;
  /**
   * The fan-out driver's targets: its stdout is read as relayed lines (readFleetLine), and each
   * event comes with the name of the connection that relayed it.
   */
  fleetTargets?: readonly string[];
  /** Each protocol event as it streams, with its line exactly as the script (the host, in a fleet) printed it, and in a fleet the host it came from. */
  onEvent?: (event: RunEvent, line: string, host?: string) => void;
  /** Aborting (Ctrl-C, SIGTERM, a record that can no longer be written) kills the process tree as the timeout does. */
  signal?: AbortSignal;
}

export interface ExecuteResult {
  exitCode: number | undefined;
  timedOut: boolean;
  events: RunEvent[];
  /** Non-protocol stdout lines. */
  output: string[];
  stderr: string;
  protocolErrors: string[];
  /** In a fleet: events a host reported in another host's name (filed under neither). */
  misattributed: Array<{ host: string; claimed: string }>;
  /** Set when the run was aborted through `signal`: its reason. */
  interrupted?: string;
  /** Set when the process could not be started at all. */
  startError?: string;
}

export function scriptArguments(scriptPath: string, parameters: ExecuteOptions['parameters']): string[] {
  const args = ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', scriptPath];
  for (const [name, value] of Object.entries(parameters)) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`not a parameter name: ${name}`);
    // PowerShell's -File binder would read a value starting with '-' as another parameter name.
    if (value !== true && value.startsWith('-')) throw new Error(`the value of -${name} must not start with '-'`);
    args.push(`-${name}`, ...(value === true ? [] : [value]));
  }
  return args;
}

export async function executeScript(options: ExecuteOptions): Promise<ExecuteResult> {
  const result: ExecuteResult = { exitCode: undefined, timedOut: false, events: [], output: [], stderr: '', protocolErrors: [], misattributed: [] };
  const fleet = options.fleetTargets && new Map(options.fleetTargets.map((name) => [name.toLowerCase(), name]));
  const onFleetLine = (line: string, targets: ReadonlyMap<string, string>) => {
    const read = readFleetLine(line, targets);
    if (read?.kind === 'event') {
      result.events.push(read.event);
      options.onEvent?.(read.event, read.line, read.host);
    } else if (read?.kind === 'output') result.output.push(read.line);
    else if (read) result.misattributed.push({ host: read.host, claimed: read.claimed });
  };
  const onLine = (line: string) => {
    try {
      if (fleet) return onFleetLine(line, fleet);
      const event = parseProtocolLine(line);
      if (event) {
        result.events.push(event);
        options.onEvent?.(event, line);
      } else if (line !== '') result.output.push(line);
    } catch (error) {
      result.protocolErrors.push((error as Error).message);
    }
  };
  const splitter = new LineSplitter();
  const child = execa(options.powershell.path, scriptArguments(options.scriptPath, options.parameters), {
    env: { ...options.env, ...plainTerminalEnv },
    cwd: options.cwd,
    stdin: 'ignore',
    reject: false,
    buffer: { stdout: false, stderr: true },
    encoding: 'utf8',
    windowsHide: true,
  });
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => splitter.push(chunk, onLine));
  const timer = setTimeout(() => {
    result.timedOut = true;
    void killTree(child);
  }, options.timeoutMs);
  const abort = () => {
    result.interrupted = String(options.signal?.reason ?? 'aborted');
    void killTree(child);
  };
  if (options.signal?.aborted) abort();
  else options.signal?.addEventListener('abort', abort, { once: true });
  let done: Awaited<typeof child>;
  try {
    done = await child;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
  }
  splitter.flush(onLine);
  result.exitCode = result.timedOut || result.interrupted ? undefined : done.exitCode;
  result.stderr = stripTerminalControls(typeof done.stderr === 'string' ? done.stderr : '');
  if (done.failed && done.exitCode === undefined && !result.timedOut && !result.interrupted) result.startError = done.shortMessage ?? done.message;
  return result;
}
