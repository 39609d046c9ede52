/**
 * A report step's tables in text (check, apply, show-run): one block per table of the action's
 * definition, columns padded to their widest cell. A large server lists thousands of CALs: the
 * view stops at MAX_ROWS and says where the rest is (the run record's CSV holds every row).
 */
import { findAction } from '../../actions/index.js';
import { rowsOf, text } from '../../run/records/report-files.js';

const MAX_ROWS = 40;

/** The tables' lines, or undefined when the action reports none. */
export function reportLines(actionName: string, stepId: string, report: unknown): string[] | undefined {
  const action = findAction(actionName);
  if (action?.kind !== 'primitive' || !action.reports) return undefined;
  return action.reports.flatMap((table) => {
    const rows = rowsOf(report, table);
    const cells = [table.columns.map((column) => column.title), ...rows.slice(0, MAX_ROWS).map((row) => table.columns.map((column) => text(row[column.field])))];
    const widths = table.columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
    const more = rows.length > MAX_ROWS ? [`… ${rows.length - MAX_ROWS} more row(s): report.${stepId}.${table.name}.csv in the run record has them all`] : [];
    return [`${table.title} (${rows.length}):`, ...(rows.length === 0 ? ['  (none)'] : cells.map((line) => `  ${line.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}`)), ...more];
  });
}
