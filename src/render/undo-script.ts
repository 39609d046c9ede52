import { findAction } from '../actions/index.js';
import type { PrimitiveStep } from '../actions/types.js';
import { stringsIn, stringsInData, toHashtable, toPowerShellData } from './literals.js';
import { quotePowerShell } from './quote.js';
import { assembleScript, type RenderOptions, type RenderedScript } from './script.js';

/** What an undo script is made from (the run stage verifies it first; render never reads records). */
export interface UndoSource {
  plan: { name: string; sha256: string };
  journal: readonly { stepId: string; action: string; undo: unknown }[];
  /** The plan steps the journal names: each is read (its Test's "before") ahead of any change. */
  steps: readonly Pick<PrimitiveStep, 'id' | 'action' | 'params'>[];
}

/**
 * The restore script for a recorded run: first the current state of every step the journal
 * names (what the undo would overwrite: run alone with -WhatIf, it is the drift check), then
 * the journal's entries, newest first, each handed to its action's Undo function. Plan values
 * come from the record and enter only as literals.
 */
export function renderUndoScript(record: UndoSource, backupDirectory: string, options: RenderOptions = {}): RenderedScript {
  const entries = [...record.journal].reverse();
  // A record is a file on disk: its action names are checked against the catalogue before
  // they pick a template.
  for (const entry of entries) {
    const action = findAction(entry.action);
    if (!action || action.kind !== 'primitive') throw new Error(`the run record names an unknown action ${JSON.stringify(entry.action)}`);
  }
  return assembleScript(
    {
      name: record.plan.name,
      planSha256: record.plan.sha256,
      backupDirectory,
      onError: 'continue',
      reboot: 'never',
      actions: [...entries.map((entry) => entry.action), ...record.steps.map((step) => step.action)],
      calls: [
        ...record.steps.map((step) => `Write-RdsStepState -Context $RdsContext -StepId ${quotePowerShell(step.id)} -Action ${quotePowerShell(step.action)} -Parameters ${toHashtable(step.params)}`),
        ...entries.map(
          (entry) =>
            `Invoke-RdsUndoStep -Context $RdsContext -StepId ${quotePowerShell(entry.stepId)} -Action ${quotePowerShell(entry.action)} -Entry ${toPowerShellData(entry.undo)}`,
        ),
      ],
      undo: true,
      literals: [...record.steps.flatMap((step) => [step.id, ...stringsIn(step.params)]), ...entries.flatMap((entry) => [entry.stepId, ...stringsInData(entry.undo)])],
    },
    options,
  );
}
