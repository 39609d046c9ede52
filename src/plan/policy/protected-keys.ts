import { primitive } from '../../actions/index.js';
import { segments } from '../../actions/registry/path.js';
import type { KeyEffect } from '../../actions/types.js';
import type { PolicyRule } from './types.js';

/**
 * Keys no plan may delete, empty or take over: a hive root, a top-level key such as
 * HKLM\SYSTEM or HKLM\SOFTWARE, and the service database itself.
 */
const SERVICE_DATABASE = /^HKLM\\SYSTEM\\(?:CurrentControlSet|ControlSet\d{3})\\Services$/i;

/** Deleting values leaves a key and its subkeys, so it is allowed even on a top-level key. */
const VERB: Partial<Record<KeyEffect['effect'], string>> = { own: 'take ownership of', deleteKey: 'delete', deleteSubkeys: 'delete the subkeys of' };
const REACHES_BELOW = new Set(Object.keys(VERB));

export const protectedKeys: PolicyRule = ({ steps }) =>
  steps.flatMap((step) =>
    primitive(step.action)
      .effects(step.params)
      .filter((effect) => REACHES_BELOW.has(effect.effect))
      .flatMap(({ key, effect }) => {
        const pointer = step.preset ? step.pointer : `${step.pointer}/path`;
        if (segments(key.path).length - 1 <= 1) {
          return [{ pointer, severity: 'error' as const, code: 'policy.protected-key', message: `${key.path} is a hive root or top-level key; no plan may ${VERB[effect]} it` }];
        }
        if (SERVICE_DATABASE.test(key.path) && effect !== 'own') {
          return [{ pointer, severity: 'error' as const, code: 'policy.protected-key', message: `${key.path} is the service database; delete one service's key instead` }];
        }
        return [];
      }),
  );
