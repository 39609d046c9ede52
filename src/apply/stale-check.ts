import { readFileSync } from 'node:fs';
import type { Target } from '../plan/types.js';
import { changesHost, type HostRun } from '../run/host-run.js';
import { EXIT, StageError } from './outcome.js';
import { terminalSafe } from './terminal-safe.js';

/**
 * `apply --expect-state`: the check output the change board saw. The apply goes ahead only
 * when a fresh check finds every host of this apply exactly as it was then: every host of
 * the run in the saved check and checked again without error, the same steps in the same
 * order (none missing, none added), each with the same status and before-state, and the
 * same approval token.
 */
export interface SavedCheck {
  approvalToken: string;
  hosts: { host: string; steps: { stepId: string; status: string; before?: unknown }[] }[];
}

/** Reads the file --expect-state names; one that cannot be used is a usage error. */
export function readExpectedState(file: string): SavedCheck {
  const unusable = (why: string) => new StageError(`cannot use --expect-state: ${why}`, EXIT.usage);
  let parsed: Partial<SavedCheck>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedCheck>;
  } catch (error) {
    throw unusable((error as Error).message);
  }
  if (typeof parsed.approvalToken !== 'string' || !Array.isArray(parsed.hosts) || !parsed.hosts.every((h) => typeof h?.host === 'string' && Array.isArray(h.steps))) {
    throw unusable(`${file} is not the output of rdsplan check --format json`);
  }
  return parsed as SavedCheck;
}

const shown = (value: unknown) => terminalSafe(JSON.stringify(value) ?? 'undefined');

/** The first difference between the saved check and now, in one sentence; null when none. */
function staleness(saved: SavedCheck, token: string, fresh: HostRun[], targets: Target[]): string | null {
  if (saved.approvalToken !== token) return 'the saved check was made for another plan, script or tool version (its approval token differs)';
  for (const target of targets) {
    const name = target.computerName;
    const then = saved.hosts.find((h) => h.host.toLowerCase() === name.toLowerCase());
    if (!then) return `${name} was not in the saved check`;
    const run = fresh.find((h) => h.host.toLowerCase() === name.toLowerCase());
    if (!run || run.error || !run.summary) return `${name} could not be checked again${run?.error ? `: ${terminalSafe(run.error)}` : ''}`;
    const key = (id: string) => id.toLowerCase();
    const nowById = new Map(run.steps.map((step) => [key(step.stepId), step]));
    const thenIds = new Set(then.steps.map((step) => key(step.stepId)));
    for (const old of then.steps) {
      const now = nowById.get(key(old.stepId));
      // A backup's or a read's status says whether its file exists, not how the host is.
      const statusCounts = !now || changesHost(now.action);
      if (!now || (statusCounts && old.status !== now.status) || JSON.stringify(old.before) !== JSON.stringify(now.before)) {
        return `${name} changed since the reviewed check: step ${terminalSafe(old.stepId)} was ${old.status} ${shown(old.before)}, now ${now ? `${now.status} ${shown(now.before)}` : 'absent'}`;
      }
    }
    const added = run.steps.find((step) => !thenIds.has(key(step.stepId)));
    if (added) return `${name} changed since the reviewed check: step ${added.stepId} was absent, now ${added.status} ${shown(added.before)}`;
  }
  return null;
}

/** Refuses the apply when a fresh check differs from the saved one. */
export function refuseStale(saved: SavedCheck, token: string, fresh: HostRun[], targets: Target[]): void {
  const stale = staleness(saved, token, fresh, targets);
  if (stale) throw new StageError(`refused: ${stale}; review and check again. Nothing was run`, EXIT.refused);
}
