/**
 * Shared by the tests of the commands that run scripts (check, apply, undo, runs, show-run):
 * the CLI in-process against the simulated host, on the tests' pwsh.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from '@jest/globals';
import { runCli } from '../support/cli.js';
import { powershellPath } from '../support/powershell.js';

export const EXAMPLES = resolve('examples');
export const example = (name: string) => join(EXAMPLES, `${name}.json`);
export const tmp = (prefix = 'rdsplan-run-') => mkdtempSync(join(tmpdir(), prefix));


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

export interface PlanJson {
  name: string;
  targets: (string | { computerName: string })[];
  [key: string]: unknown;
}

export function readPlan(file: string): PlanJson {
  return JSON.parse(readFileSync(file, 'utf8')) as PlanJson;
}

export const targetNames = (plan: PlanJson) => plan.targets.map((t) => (typeof t === 'string' ? t : t.computerName));

/** Writes a plan into `dir` and returns its path. */
export function writePlan(dir: string, plan: object, file = 'plan.json'): string {
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(plan, null, 2)}\n`);
  return path;
}

/** A simulated host's state without the per-run counters (calls, callLog, fired faults). */
export function hostState(file: string): Record<string, unknown> {
  const state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete state.calls;
  delete state.callLog;
  return state;
}

/** The sections a plan changes: registry, services, terminalServices. */
export function hostSections(file: string) {
  const s = hostState(file);
  return { registry: s.registry, services: s.services, terminalServices: s.terminalServices };
}

export function recordDirs(records: string): string[] {
  const runs = join(records, 'runs');
  try {
    return readdirSync(runs)
      .map((name) => join(runs, name))
      .filter((dir) => statSync(dir).isDirectory())
      .sort();
  } catch {
    return [];
  }
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}
