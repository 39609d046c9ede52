/**
 * The simulated Windows host: its built-in default state, runs of a rendered script against it
 * in the real PowerShell engine, and what tests read from the state it saves. Every run's
 * protocol lines are checked against schemas/result.schema.json (and by parseProtocolLine); a
 * run that prints one bad line fails the test that made it.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { splitScript } from '../../src/render/header.js';
import { platformTemplates, runtimeTemplates } from '../../src/render/templates.js';
import { parseProtocolLine } from '../../src/run/protocol.js';
import { tempDir } from './files.js';
import { repoRoot } from './plans.js';
import { runPowerShell } from './powershell.js';

export const GRACE = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';
export const GRACE_SDDL = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)';
export const TIMEBOMB = 'L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588';
export const MSLICENSING = 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing';
export const MSLICENSING_WOW = 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\MSLicensing';
export const RCM = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM';
export const LICENSE_SERVERS_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\LicenseServers';
export const LICENSING_CORE = `${RCM}\\Licensing Core`;
export const POLICY_KEY = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services';

const Ajv = (Ajv2020 as any).default ?? Ajv2020;
const ajv = new Ajv({ allErrors: true, strict: false });
const validateEvent = ajv.compile(JSON.parse(readFileSync(join(repoRoot, 'schemas', 'result.schema.json'), 'utf8')));

export type Event = Record<string, any>;

/** Every @@rdsplan line of a run: schema errors and parse failures, as readable strings. */
export function protocolProblems(stdout: string): string[] {
  const problems: string[] = [];
  for (const line of stdout.split(/\n/)) {
    if (!line.startsWith('@@rdsplan ')) continue;
    try {
      if (parseProtocolLine(line) === null) problems.push(`not parsed: ${line}`);
    } catch (error) {
      problems.push(`${(error as Error).message}: ${line}`);
      continue;
    }
    const value = JSON.parse(line.slice('@@rdsplan '.length).replace(/\r$/, ''));
    if (!validateEvent(value)) problems.push(`${ajv.errorsText(validateEvent.errors)}: ${line}`);
  }
  return problems;
}

/** The built-in host's states of the grace period (New-RdsSimDefaultState -GracePeriod, platform/sim/Sim.Core.ps1). */
export type GraceState = 'InGracePeriod' | 'FreshlyReset' | 'Expired' | 'KeyAbsent';

/** The built-in hosts (New-RdsSimDefaultState -Role): the session host RDSH01 or the license server RDLS01. */
export type HostRole = 'SessionHost' | 'LicenseServer';

const defaultStateTexts = new Map<string, Promise<string>>();

/**
 * The built-in default host as the sim saves it (missing state file → default host → saved),
 * or the same host in another state of its grace period (New-RdsSimDefaultState -GracePeriod).
 * Made once per state and test file with the sim alone (runtime/Json.ps1 + platform/sim), not a plan.
 */
export function defaultState(grace: GraceState = 'InGracePeriod', role: HostRole = 'SessionHost'): Promise<string> {
  const key = `${grace}/${role}`;
  let text = defaultStateTexts.get(key);
  if (text === undefined) {
    text = (async () => {
      const dir = tempDir();
      const json = runtimeTemplates().filter((file) => file.name === 'runtime/Json.ps1');
      const body = [
        "[CmdletBinding()]\nparam([string] $StatePath, [string] $GracePeriod = 'InGracePeriod', [string] $Role = 'SessionHost')",
        'Set-StrictMode -Version 3.0',
        "$ErrorActionPreference = 'Stop'",
        ...[...json, ...platformTemplates('sim')].map((file) => file.text),
        "if ($GracePeriod -ne 'InGracePeriod' -or $Role -ne 'SessionHost') { [System.IO.File]::WriteAllText($StatePath, (ConvertTo-RdsJson -InputObject (New-RdsSimDefaultState -GracePeriod $GracePeriod -Role $Role))) }",
        'Initialize-RdsPlatform -Option $StatePath',
        'Complete-RdsPlatform',
      ].join('\n');
      writeFileSync(join(dir, 'seed.ps1'), body);
      const statePath = join(dir, 'state.json');
      const r = await runPowerShell({ file: join(dir, 'seed.ps1'), args: ['-StatePath', statePath, '-GracePeriod', grace, '-Role', role] });
      if (r.exitCode !== 0) throw new Error(`default state (${key}): ${r.stderr}`);
      return readFileSync(statePath, 'utf8');
    })();
    defaultStateTexts.set(key, text);
  }
  return text;
}

export interface PlanRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  events: Event[];
  steps: Event[];
  summary: Event | undefined;
  /** The saved state after the run. */
  state: any;
  statePath: string;
  backupDirectory: string;
  runDirectory: string;
  problems: string[];
}

export interface RunOptions {
  whatIf?: boolean;
  runId?: string;
  targetName?: string;
  /** Changes the state before the run (faults, a token without a privilege, …). */
  edit?: (state: any) => void;
  /** The built-in host in this state of its grace period (default 'InGracePeriod'); ignored with statePath. */
  grace?: GraceState;
  /** The built-in host to start from (default the session host); ignored with statePath. */
  role?: HostRole;
  /** Run against this state file as it is (a second apply); default: a fresh copy of the default host. */
  statePath?: string;
  /** The token the run is approved with; default: the one in the script's header, as rdsplan passes it. */
  approvalToken?: string;
}

/** Runs a rendered script once; the state file is a fresh copy of the default host unless given. */
export async function runPlan(script: string, opts: RunOptions = {}): Promise<PlanRun> {
  const dir = tempDir();
  let statePath = opts.statePath;
  if (statePath === undefined) {
    statePath = join(dir, 'state.json');
    const state = JSON.parse(await defaultState(opts.grace, opts.role));
    opts.edit?.(state);
    writeFileSync(statePath, JSON.stringify(state, null, 2));
  } else if (opts.edit) {
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    opts.edit(state);
    writeFileSync(statePath, JSON.stringify(state, null, 2));
  }
  const backupDirectory = join(dir, 'backups');
  const runId = opts.runId ?? 'run-1';
  const args = ['-SimulationState', statePath, '-BackupDirectory', backupDirectory, '-RunId', runId, '-TargetName', opts.targetName ?? 'rdsh01'];
  args.push('-ApprovalToken', opts.approvalToken ?? splitScript(readFileSync(script, 'utf8'))?.header.approvalToken ?? '');
  if (opts.whatIf) args.push('-WhatIf');
  const r = await runPowerShell({ file: script, args, timeoutMs: 120_000 });
  const events: Event[] = [];
  for (const line of r.stdout.split(/\n/)) {
    if (line.startsWith('@@rdsplan ')) events.push(JSON.parse(line.slice('@@rdsplan '.length).replace(/\r$/, '')));
  }
  return {
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    events,
    steps: events.filter((e) => e.event === 'step'),
    summary: events.find((e) => e.event === 'summary'),
    state: JSON.parse(readFileSync(statePath, 'utf8')),
    statePath,
    backupDirectory,
    runDirectory: join(backupDirectory, runId),
    problems: protocolProblems(r.stdout),
  };
}

/** A copy of a state file for another run (a second apply starts from where the first ended). */
export function copyState(from: string): string {
  const to = join(tempDir(), 'state.json');
  copyFileSync(from, to);
  return to;
}

/** `stepId:status` per step event, in order: the shape most assertions compare. */
export const statuses = (run: PlanRun): string[] => run.steps.map((s) => `${s.stepId}:${s.status}`);

/**
 * The host as a Windows administrator would see it: registry, services, Win32_TerminalServiceSetting,
 * the license server's CALs, the token's privileges and the host record. Leaves out the sim's own bookkeeping (calls,
 * callLog, faults and their fired counts).
 */
export function hostView(state: any): Record<string, unknown> {
  return { registry: state.registry, services: state.services, terminalServices: state.terminalServices, licenseServer: state.licenseServer, token: state.token, host: state.host };
}

/**
 * hostView with each key's values sorted by name. For comparing after a rollback: Windows has no
 * way to put a re-created value back at its old enumeration position (new values go last, in
 * the sim as on Windows), so a value deleted and re-created by an undo may enumerate later.
 * Names, types, data, keys and ACLs must still be identical.
 */
export function hostViewUnordered(state: any): Record<string, unknown> {
  const registry: Record<string, unknown> = {};
  for (const [path, key] of Object.entries(state.registry as Record<string, { values?: { name: string }[] }>)) {
    registry[path] = { ...key, values: [...(key.values ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
  }
  return { ...hostView(state), registry };
}

/** A simulated host's state file without the per-run counters (calls, callLog). */
function hostState(file: string): Record<string, unknown> {
  const state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete state.calls;
  delete state.callLog;
  return state;
}

/** The sections a plan changes: registry, services, terminalServices. */
export function hostSections(file: string) {
  const s = hostState(file);
  return { registry: s.registry, services: s.services, terminalServices: s.terminalServices, licenseServer: s.licenseServer };
}

export function stateKey(state: any, path: string): { sddl: string; values: { name: string; type: string; data: unknown }[] } | undefined {
  const found = Object.keys(state.registry).find((k) => k.toLowerCase() === path.toLowerCase());
  return found === undefined ? undefined : state.registry[found];
}

export function stateValue(state: any, path: string, name: string): { name: string; type: string; data: unknown } | undefined {
  return stateKey(state, path)?.values.find((v) => v.name.toLowerCase() === name.toLowerCase());
}

/** Keys at or below a path (case-insensitive). */
export function keysUnder(state: any, path: string): string[] {
  const p = path.toLowerCase();
  return Object.keys(state.registry).filter((k) => k.toLowerCase() === p || k.toLowerCase().startsWith(`${p}\\`));
}

/** Every privilege of the saved token is disabled (the script turned on what it needed, then off). */
export function enabledPrivileges(state: any): string[] {
  return Object.entries(state.token.privileges as Record<string, { enabled: boolean }>)
    .filter(([, p]) => p.enabled)
    .map(([name]) => name);
}

/** Runs async jobs at most `limit` at a time (the engine is one process per run; jest may give us one worker). */
export async function inPool<T, R>(items: T[], limit: number, job: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
