import type { TemplateFile } from './templates.js';

/**
 * A template file as the assembler sees it: its top-level functions, each with the comment
 * lines directly above it, and the code between them (script variables, Register-RdsAction,
 * embedded C# sources) that runs when the script loads. Templates write a top-level function
 * as `function Name {` at column 0 closed by `}` at column 0 (ps-templates/README.md); lines of
 * a here-string are never read as either.
 */
export type TemplateUnit = { kind: 'function'; name: string; lines: string[] } | { kind: 'code'; lines: string[] };

const FUNCTION_START = /^function ([A-Za-z]+-[A-Za-z0-9]+) \{$/;

export function templateUnits(file: TemplateFile): TemplateUnit[] {
  const lines = file.text.replace(/\r\n/g, '\n').split('\n');
  const inString = hereStringLines(lines);
  const units: TemplateUnit[] = [];
  let code: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = inString[i] ? null : FUNCTION_START.exec(lines[i]!);
    if (!start) {
      code.push(lines[i]!);
      continue;
    }
    let lead = code.length;
    while (lead > 0 && /^# /.test(code[lead - 1]!)) lead--;
    const comment = code.splice(lead);
    if (code.length) units.push({ kind: 'code', lines: code });
    code = [];
    let end = i + 1;
    while (end < lines.length && (inString[end] || lines[end] !== '}')) end++;
    if (end === lines.length) throw new Error(`${file.name}:${i + 1}: function ${start[1]} has no closing '}' at column 0`);
    units.push({ kind: 'function', name: start[1]!, lines: [...comment, ...lines.slice(i, end + 1)] });
    i = end;
  }
  if (code.length) units.push({ kind: 'code', lines: code });
  return units;
}

/** Per line, whether it lies inside a here-string (its opening and closing lines excluded). */
export function hereStringLines(lines: readonly string[]): boolean[] {
  const inside: boolean[] = [];
  let closing: string | null = null;
  for (const line of lines) {
    if (closing !== null) {
      if (line.startsWith(closing)) {
        closing = null;
        inside.push(false);
      } else inside.push(true);
      continue;
    }
    inside.push(false);
    // `@'` ends the line and does not close a quoted '@' ($name = '@').
    const open = /(?:^|[^'"\w])@(['"])\s*$/.exec(line);
    if (open && !/^\s*#/.test(line)) closing = `${open[1]}@`;
  }
  return inside;
}
