import { primitive } from '../../actions/index.js';
import { segments } from '../../actions/registry/path.js';
import type { KeyEffect } from '../../actions/types.js';
import type { PolicyRule } from './types.js';

/**
 * Keys no plan may delete, empty or take over: a hive root, a top-level key such as
 * HKLM\SYSTEM or HKLM\SOFTWARE, and the service database subtree. A service's key belongs to
 * the service control manager: deleting it (or a key above it) leaves the SCM's in-memory
 * database and the registry disagreeing until a reboot, and a deleted TermService or
 * TermServLicensing takes Remote Desktop with it; `sc.exe delete` or the vendor's uninstaller
 * removes a service. Emptying the service database or a control set is refused too; emptying
 * one service's key (its Parameters) is the service's own business.
 * Groups: 1 is set from the Services key down, 2 is the service's name.
 */
const SERVICE_SUBTREE = /^HKLM\\SYSTEM\\(?:CurrentControlSet|ControlSet\d{3})(\\Services(?:\\([^\\]+))?)?$/i;

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
        const service = SERVICE_SUBTREE.exec(key.path);
        if (service && (effect === 'deleteKey' || (effect === 'deleteSubkeys' && service[2] === undefined))) {
          const role = service[2] !== undefined ? `is the key of the service "${service[2]}"` : service[1] !== undefined ? 'is the service database' : 'holds the service database';
          return [{ pointer, severity: 'error' as const, code: 'policy.protected-key', message: `${key.path} ${role}, which is protected: no plan may ${effect === 'deleteKey' ? 'delete it' : 'delete its subkeys'} (sc.exe delete or the vendor's uninstaller removes a service)` }];
        }
        return [];
      }),
  );
