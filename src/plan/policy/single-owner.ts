import { primitive } from '../../actions/index.js';
import { sameKey, describeKey } from '../../actions/registry/path.js';
import type { KeyRef } from '../../actions/types.js';
import type { PolicyRule } from './types.js';

/**
 * Two steps owning one key while the first still holds it would save the first step's ACL
 * as the "original" and restore the wrong one. A restore of the key releases it.
 */
export const singleOwner: PolicyRule = ({ steps }) => {
  const held: { key: KeyRef; stepId: string }[] = [];
  return steps.flatMap((step) =>
    primitive(step.action)
      .effects(step.params)
      .flatMap(({ key, effect }) => {
        const holder = held.findIndex((h) => sameKey(h.key, key));
        if (effect === 'restore' && holder >= 0) held.splice(holder, 1);
        if (effect !== 'own') return [];
        held.push({ key, stepId: step.id });
        return holder >= 0
          ? [{ pointer: step.pointer, severity: 'error' as const, code: 'policy.single-owner', message: `${describeKey(key)} is still owned by step "${held[holder]!.stepId}"; its original ACL is restored only later` }]
          : [];
      }),
  );
};
