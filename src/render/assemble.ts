import { hereStringLines, templateUnits, type TemplateUnit } from './template-units.js';
import type { TemplateFile } from './templates.js';

/**
 * The one assembler of generated PowerShell (plan and undo scripts, the fleet driver): the
 * template files a script needs, as `#region <file>` sections, with only the functions its own
 * code can reach. A function is reached when its name appears in code that is kept: the
 * caller's lines, a file's load-time code (Register-RdsAction names an action's handlers),
 * or a kept function (finalizers and handlers are named in strings, which count too; comment
 * lines do not). The why stays in ps-templates/, so a file's prose, the comments inside
 * functions and blank lines stay out; each function keeps the one-line comment that says what
 * it does.
 */
export function assembleSections(files: readonly TemplateFile[], callerLines: readonly string[]): string[] {
  const parsed = files.map((file) => ({ file, units: templateUnits(file) }));
  const functions = new Map<string, string>();
  for (const { file, units } of parsed) {
    for (const unit of units) {
      if (unit.kind !== 'function') continue;
      if (functions.has(unit.name)) throw new Error(`${file.name}: function ${unit.name} is defined twice among the templates`);
      functions.set(unit.name, code(unit.lines));
    }
  }
  const loadTime = parsed.flatMap(({ units }) => units.filter((unit) => unit.kind === 'code').map((unit) => code(unit.lines)));
  const kept = reachable(functions, [callerLines.join('\n'), ...loadTime]);
  return parsed
    .map(({ file, units }) => ({ file, lines: units.flatMap((unit) => emitted(unit, kept)) }))
    .filter(({ lines }) => lines.length > 0)
    .map(({ file, lines }) => [`#region ${file.name}`, ...lines, `#endregion ${file.name}`].join('\n') + '\n');
}

function reachable(functions: ReadonlyMap<string, string>, roots: string[]): Set<string> {
  const kept = new Set<string>();
  if (functions.size === 0) return kept;
  const names = new RegExp(`(?<![\\w-])(${[...functions.keys()].map((name) => name.replace(/-/g, '\\-')).join('|')})(?![\\w-])`, 'gi');
  const canonical = new Map([...functions.keys()].map((name) => [name.toLowerCase(), name]));
  const queue = [...roots];
  while (queue.length > 0) {
    for (const match of queue.pop()!.matchAll(names)) {
      const name = canonical.get(match[1]!.toLowerCase())!;
      if (kept.has(name)) continue;
      kept.add(name);
      queue.push(functions.get(name)!);
    }
  }
  return kept;
}

/** The lines that are code: comment lines and blank lines go, except inside here-strings. */
function code(lines: readonly string[]): string {
  const inString = hereStringLines(lines);
  return lines.filter((line, i) => inString[i] || !(line.trim() === '' || /^\s*#/.test(line))).join('\n');
}

function emitted(unit: TemplateUnit, kept: ReadonlySet<string>): string[] {
  if (unit.kind === 'function' && !kept.has(unit.name)) return [];
  const inString = hereStringLines(unit.lines);
  const start = unit.kind === 'function' ? unit.lines.findIndex((line) => line.startsWith('function ')) : 0;
  // A function keeps the comment lines above it; load-time code keeps none.
  return unit.lines.filter((line, i) => inString[i] || (line.trim() !== '' && (i < start || !/^\s*#/.test(line))));
}
