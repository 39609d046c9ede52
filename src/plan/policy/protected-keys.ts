import { primitive } from '../../actions/index.js';
import { segments } from '../../actions/registry/path.js';
import type { PolicyRule } from './types.js';

/**
 * Keys no plan may delete, empty or take over: a hive root, a top-level key such as
 * HKLM\SYSTEM or HKLM\SOFTWARE, and the service database itself.
 */
const SERVICE_DATABASE = /^HKLM\\SYSTEM\\(?:CurrentControlSet|ControlSet\d{3})\\Services$/i;

export const protectedKeys: PolicyRule = ({ steps }) =>
  steps.flatMap((step) =>
    primitive(step.action)
      .effects(step.params)
      .filter((effect) => effect.effect === 'destroy' || effect.effect === 'own')
      .flatMap(({ key, effect }) => {
        const pointer = step.preset ? step.pointer : `${step.pointer}/path`;
        const depth = segments(key.path).length - 1;
        const subkeysOnly = step.action === 'registry.deleteSubkeys' || step.action === 'registry.deleteValue';
        if (depth <= 1 && (effect === 'own' || step.action !== 'registry.deleteValue')) {
          return [{ pointer, severity: 'error' as const, code: 'policy.protected-key', message: `${key.path} is a hive root or top-level key; no plan may ${effect === 'own' ? 'take ownership of' : subkeysOnly ? 'delete the subkeys of' : 'delete'} it` }];
        }
        if (SERVICE_DATABASE.test(key.path) && (step.action === 'registry.deleteKey' || step.action === 'registry.deleteSubkeys')) {
          return [{ pointer, severity: 'error' as const, code: 'policy.protected-key', message: `${key.path} is the service database; delete one service's key instead` }];
        }
        return [];
      }),
  );
