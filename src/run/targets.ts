import type { Target } from '../plan/types.js';

const LOCAL_NAMES = new Set(['localhost', '.', '127.0.0.1', '::1']);

/** A target that is this machine runs the script directly; anything else goes through remoting. */
export function isLocalTarget(target: Target): boolean {
  return LOCAL_NAMES.has(target.computerName.toLowerCase()) && target.port === undefined && target.useSSL === undefined;
}

/** The plan's targets, narrowed by --target; an unknown name is an error, not an empty run. */
export function selectTargets(targets: Target[], only: string[] | undefined): Target[] {
  if (!only || only.length === 0) return targets;
  const unknown = only.filter((name) => !targets.some((t) => t.computerName.toLowerCase() === name.toLowerCase()));
  if (unknown.length > 0) throw new Error(`--target ${unknown.join(', ')}: not a target of this plan (targets: ${targets.map((t) => t.computerName).join(', ')})`);
  return targets.filter((t) => only.some((name) => name.toLowerCase() === t.computerName.toLowerCase()));
}
