import { backupFirst } from './backup-first.js';
import { dependsOnBackwards } from './depends-on.js';
import { exportFileInBackupFolder } from './export-file.js';
import { gracePeriodWrites } from './grace-period-writes.js';
import { oncePerPlan } from './once-per-plan.js';
import { protectedKeys } from './protected-keys.js';
import { recordBeforeIrreversible } from './record-before-irreversible.js';
import { singleOwner } from './single-owner.js';
import type { PolicyRule } from './types.js';
import { uniqueIds } from './unique-ids.js';
import { uniqueTargets } from './unique-targets.js';

/**
 * What a rule reads decides what it can still judge in a plan the schema faulted (validate.ts
 * runs it on the parts that passed, so one pass shows schema and policy errors):
 * - `targets`: the targets list alone;
 * - `ids`: step ids and dependsOn, whatever else a step holds;
 * - `step`: one step at a time (with `options`: also the backup folder);
 * - `earlier-steps`: a step and the steps before it, so only the steps before the first faulted
 *   one (a faulted export could be the backup that covers a later deletion).
 */
export type RuleReads = 'targets' | 'ids' | 'step' | 'earlier-steps';

export interface ScopedRule {
  rule: PolicyRule;
  reads: RuleReads;
  options?: boolean;
}

export const SCOPED_RULES: readonly ScopedRule[] = [
  { rule: uniqueIds, reads: 'ids' },
  { rule: uniqueTargets, reads: 'targets' },
  { rule: dependsOnBackwards, reads: 'ids' },
  { rule: protectedKeys, reads: 'step' },
  { rule: gracePeriodWrites, reads: 'step' },
  { rule: backupFirst, reads: 'earlier-steps' },
  { rule: singleOwner, reads: 'earlier-steps' },
  { rule: recordBeforeIrreversible, reads: 'earlier-steps' },
  { rule: oncePerPlan, reads: 'earlier-steps' },
  { rule: exportFileInBackupFolder, reads: 'step', options: true },
];

/** The DESIGN.md policy rules, run after the schema on a structurally valid plan. */
export const POLICY_RULES: readonly PolicyRule[] = SCOPED_RULES.map((scoped) => scoped.rule);
