import { sameKey, describeKey } from '../../actions/registry/path.js';
import type { KeyRef } from '../../actions/types.js';
import type { PolicyRule } from './types.js';

/**
 * Two takeOwnership steps on one key while the first still holds it would save the first
 * step's ACL as the "original" and restore the wrong one.
 */
export const singleOwner: PolicyRule = ({ steps }) => {
  const held: { key: KeyRef; stepId: string }[] = [];
  return steps.flatMap((step) => {
    const key = { path: String(step.params.path), view: step.params.view } as KeyRef;
    if (step.action === 'registry.restoreSecurity') {
      const at = held.findIndex((h) => h.stepId === step.params.fromStep);
      if (at >= 0) held.splice(at, 1);
      return [];
    }
    if (step.action !== 'registry.takeOwnership') return [];
    const holder = held.find((h) => sameKey(h.key, key));
    held.push({ key, stepId: step.id });
    return holder
      ? [{ pointer: step.pointer, severity: 'error' as const, code: 'policy.single-owner', message: `${describeKey(key)} is still owned by step "${holder.stepId}"; its original ACL is restored only later` }]
      : [];
  });
};
