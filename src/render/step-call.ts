import { findAction } from '../actions/index.js';
import type { PrimitiveAction, PrimitiveStep } from '../actions/types.js';
import { toHashtable, toPowerShell } from './literals.js';
import { quotePowerShell } from './quote.js';

/**
 * One Invoke-RdsPlanStep call. What the runtime must treat differently about a step is decided
 * here from the action definitions and the plan's dependency graph, and stated as switches, so
 * the runtime names no action and never re-reads the plan:
 *   -Deferred        a deferrable step that a later step needs waits until a dependent needs its
 *                    change (a host in desired state stays untouched); a step that only closes
 *                    the deferral (a restore) is no such need;
 *   -CoversKey       that deferred step is also carried out before any change under its key;
 *   -BeforeAnyChange that deferred step is carried out before the first change of the host, and
 *                    when it fails or refuses no change runs;
 *   -ClosesDeferred  the step ends the deferral of the deferred steps it depends on;
 *   -NoHostChange    the step's change is none of the host's (a backup written, a value read);
 *   -Irreversible    nothing undoes its change: once it has begun, a rollback cannot bring the host back to its start.
 */
export function stepCall(step: PrimitiveStep, steps: readonly PrimitiveStep[]): string {
  const action = primitive(step.action);
  const deferred = action.deferrable && (action.beforeAnyChange === true || steps.some((other) => other.dependsOn.includes(step.id) && !primitive(other.action).closesDeferred));
  const switches = [
    deferred ? ' -Deferred' : '',
    deferred && action.coversKey ? ' -CoversKey' : '',
    deferred && action.beforeAnyChange ? ' -BeforeAnyChange' : '',
    action.closesDeferred ? ' -ClosesDeferred' : '',
    action.changesHost ? '' : ' -NoHostChange',
    action.irreversible ? ' -Irreversible' : '',
  ].join('');
  return [
    `# step ${step.id} (${step.action})`,
    `Invoke-RdsPlanStep -Context $RdsContext -StepId ${quotePowerShell(step.id)} -Action ${quotePowerShell(step.action)} -RunWhen ${quotePowerShell(step.runWhen)} -DependsOn ${toPowerShell(step.dependsOn)}${switches} -Parameters ${toHashtable(step.params)}`,
  ].join('\n');
}

function primitive(name: string): PrimitiveAction {
  const action = findAction(name);
  if (action?.kind !== 'primitive') throw new Error(`no primitive action ${name}`);
  return action;
}
