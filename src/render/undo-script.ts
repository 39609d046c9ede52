import { findAction } from '../actions/index.js';
import { stringsInData, toPowerShellData } from './literals.js';
import { quotePowerShell } from './quote.js';
import { assembleScript, type RenderOptions, type RenderedScript } from './script.js';

/** What an undo script is made from (the run stage verifies it first; render never reads records). */
export interface UndoSource {
  plan: { name: string; sha256: string };
  journal: readonly { stepId: string; action: string; undo: unknown }[];
}

/**
 * The restore script for a recorded run: the journal's entries, newest first, each handed
 * to its action's Undo function. Plan values come from the record and enter only as literals.
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
      actions: entries.map((entry) => entry.action),
      calls: entries.map(
        (entry) =>
          `Invoke-RdsUndoStep -Context $RdsContext -StepId ${quotePowerShell(entry.stepId)} -Action ${quotePowerShell(entry.action)} -Entry ${toPowerShellData(entry.undo)}`,
      ),
      undo: true,
      literals: entries.flatMap((entry) => [entry.stepId, ...stringsInData(entry.undo)]),
    },
    options,
  );
}
