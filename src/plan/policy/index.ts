import { backupFirst } from './backup-first.js';
import { dependsOnBackwards } from './depends-on.js';
import { exportFileInBackupFolder } from './export-file.js';
import { protectedKeys } from './protected-keys.js';
import { singleOwner } from './single-owner.js';
import type { PolicyRule } from './types.js';
import { uniqueIds } from './unique-ids.js';
import { uniqueTargets } from './unique-targets.js';

/** The DESIGN.md policy rules, run after the schema on a structurally valid plan. */
export const POLICY_RULES: readonly PolicyRule[] = [uniqueIds, uniqueTargets, dependsOnBackwards, protectedKeys, backupFirst, singleOwner, exportFileInBackupFolder];
