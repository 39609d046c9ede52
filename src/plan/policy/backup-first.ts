import { primitive } from '../../actions/index.js';
import { coversKey, describeKey } from '../../actions/registry/path.js';
import { DELETIONS, type KeyRef } from '../../actions/types.js';
import type { PolicyRule } from './types.js';

/**
 * A destructive registry step needs an earlier export of the same key or an ancestor (same
 * view), unless it opts out with a reason. A write that names the value it overwrites cannot
 * know before the run whether the value exists, so it gets a warning: without an export only
 * the run journal keeps the old data.
 */
export const backupFirst: PolicyRule = ({ steps }) => {
  const exported: KeyRef[] = [];
  return steps.flatMap((step) => {
    const effects = primitive(step.action).effects(step.params);
    const findings = effects
      .filter((e) => DELETIONS.has(e.effect) || e.effect === 'own' || (e.effect === 'write' && e.value !== undefined))
      .filter((e) => !step.backup && !exported.some((done) => coversKey(done, e.key)))
      .map((e) => ({
        pointer: step.pointer,
        severity: e.effect === 'write' ? ('warning' as const) : ('error' as const),
        code: 'policy.backup',
        message:
          e.effect === 'write'
            ? `no earlier registry.export of ${describeKey(e.key)} or an ancestor: if "${e.value}" exists, only the run journal keeps its old data`
            : `step "${step.id}" changes ${describeKey(e.key)} but no earlier registry.export covers it; add one, or "backup": { "skip": true, "reason": "…" }`,
      }));
    for (const e of effects) if (e.effect === 'export') exported.push(e.key);
    return findings;
  });
};
