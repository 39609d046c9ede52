import * as catalogue from './catalogue.js';
import type { ActionDefinition, PresetAction, PrimitiveAction } from './types.js';

/** The catalogue in name order (ordinal): the order the schemas and the documentation list it. */
export const ACTIONS: readonly ActionDefinition[] = (Object.values(catalogue) as ActionDefinition[]).sort(byName);

function byName(a: ActionDefinition, b: ActionDefinition): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const BY_NAME = new Map(ACTIONS.map((action) => [action.name, action]));

export function findAction(name: string): ActionDefinition | undefined {
  return BY_NAME.get(name);
}

export function primitive(name: string): PrimitiveAction<any> {
  const action = BY_NAME.get(name);
  if (!action || action.kind !== 'primitive') throw new Error(`no primitive action ${name}`);
  return action;
}

export function isPreset(action: ActionDefinition): action is PresetAction {
  return action.kind === 'preset';
}

/** The actions a plan may name (internal ones are produced by expansion only). */
export function planActions(): ActionDefinition[] {
  return ACTIONS.filter((action) => action.kind === 'preset' || !action.internal);
}
