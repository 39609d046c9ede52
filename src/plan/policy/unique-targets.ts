import type { PolicyRule } from './types.js';

/**
 * Windows host names are case-insensitive: RDSH01 and rdsh01 are one host, which would run the
 * plan twice at once (the second run refused by the host lock, or worse, after the first) and
 * file both runs under one record.
 */
export const uniqueTargets: PolicyRule = ({ targets = [] }) => {
  const firstAt = new Map<string, number>();
  return targets.flatMap((target, index) => {
    const name = typeof target === 'string' ? target : target?.computerName;
    // On a plan the schema faulted, targets arrive as written (validate.ts: policyOnSoundParts).
    if (typeof name !== 'string') return [];
    const key = name.toLowerCase();
    const first = firstAt.get(key);
    if (first === undefined) {
      firstAt.set(key, index);
      return [];
    }
    const pointer = typeof target === 'string' ? `/targets/${index}` : `/targets/${index}/computerName`;
    return [{ pointer, severity: 'error' as const, code: 'policy.unique-target', message: `target "${name}" is the same host as /targets/${first} (host names are case-insensitive)` }];
  });
};
