import { readFileSync } from 'node:fs';
import type { HostRun } from '../run/host-run.js';

/**
 * `apply --expect-state`: the check output the change board saw. The apply goes ahead only
 * when a fresh check finds every host exactly as it was then (same steps pending, same
 * before-states), and for the same approval token.
 */
interface SavedCheck {
  approvalToken: string;
  hosts: { host: string; steps: { stepId: string; status: string; before?: unknown }[] }[];
}

export function readSavedCheck(file: string): SavedCheck {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedCheck>;
  if (typeof parsed.approvalToken !== 'string' || !Array.isArray(parsed.hosts)) throw new Error(`${file} is not the output of rdsplan check --format json`);
  return parsed as SavedCheck;
}

/** The first difference between the saved check and now, in one sentence; null when none. */
export function staleness(saved: SavedCheck, token: string, fresh: HostRun[]): string | null {
  if (saved.approvalToken !== token) return 'the saved check was made for another plan, script or tool version (its approval token differs)';
  for (const run of fresh) {
    const then = saved.hosts.find((h) => h.host.toLowerCase() === run.host.toLowerCase());
    if (!then) return `${run.host} was not in the saved check`;
    const now = run.steps.map((s) => ({ stepId: s.stepId, status: s.status, before: s.before }));
    for (const [i, step] of now.entries()) {
      const old = then.steps[i];
      if (!old || old.stepId !== step.stepId || old.status !== step.status || JSON.stringify(old.before) !== JSON.stringify(step.before)) {
        return `${run.host} changed since the reviewed check: step ${step.stepId} was ${old ? `${old.status} ${JSON.stringify(old.before)}` : 'absent'}, now ${step.status} ${JSON.stringify(step.before)}`;
      }
    }
  }
  return null;
}
