import { findAction } from '../../actions/index.js';
import type { ReportTable } from '../../actions/types.js';
import type { StepEvent } from '../protocol.js';

/**
 * The files a report step leaves in its run record, from its step event: the report as JSON
 * (the step's After, as the events file has it) and one CSV per table, named
 * report.<step id>.json and report.<step id>.<table>.csv. What the tables are comes from the
 * action definition; a step event of any other action has none.
 */
export const REPORT_FILE = /^report\.[A-Za-z0-9][A-Za-z0-9.-]*\.(?:json|csv)$/;

export function reportFiles(event: StepEvent): { name: string; text: string }[] {
  const action = findAction(event.action);
  const tables = action?.kind === 'primitive' ? action.reports : undefined;
  if (!tables || event.status === 'failed' || !/^[a-z0-9][a-z0-9.-]*$/.test(event.stepId)) return [];
  const after = (event.after ?? {}) as Record<string, unknown>;
  return [
    { name: `report.${event.stepId}.json`, text: `${JSON.stringify({ stepId: event.stepId, action: event.action, time: event.time, report: after }, null, 2)}\n` },
    ...tables.map((table) => ({ name: `report.${event.stepId}.${table.name}.csv`, text: csv(table, rowsOf(after, table)) })),
  ];
}

/** The table's rows in a report (an element that is no object is an empty row). */
export function rowsOf(report: unknown, table: ReportTable): Record<string, unknown>[] {
  const list = report !== null && typeof report === 'object' ? (report as Record<string, unknown>)[table.field] : undefined;
  return (Array.isArray(list) ? list : []).map((row) => (row !== null && typeof row === 'object' ? (row as Record<string, unknown>) : {}));
}

/** RFC 4180 with CRLF; a cell a spreadsheet would run as a formula (what a client reported as its name) is prefixed with an apostrophe. */
function csv(table: ReportTable, rows: Record<string, unknown>[]): string {
  const line = (cells: string[]) => `${cells.map(cell).join(',')}\r\n`;
  return line(table.columns.map((column) => column.title)) + rows.map((row) => line(table.columns.map((column) => text(row[column.field])))).join('');
}

function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
