import { parse, type AnyNode, type DocumentNode } from '@humanwhocodes/momoa';
import { pointerSegment, type Diagnostic } from './diagnostics.js';
import { backslashHint } from './hints.js';

/**
 * Reads a plan file into a JSON value and a map from JSON pointers to line and column, so
 * that every later error can name the place. Hostile files (huge, deeply nested, in the
 * wrong encoding) end here with one diagnostic, never a crash.
 */
export const MAX_PLAN_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;

export interface Position {
  line: number;
  column: number;
}

export interface LoadedPlan {
  file: string;
  value: unknown;
  /** Where a pointer's value starts; for a member, `key` is where its name starts. */
  locate(pointer: string, at?: 'value' | 'key'): Position;
  diagnostics: Diagnostic[];
}

function failure(file: string, message: string, code: string, at: Position = { line: 1, column: 1 }): LoadedPlan {
  return {
    file,
    value: undefined,
    locate: () => at,
    diagnostics: [{ file, ...at, pointer: '', severity: 'error', code, message }],
  };
}

function positionOf(text: string, index: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

function indexOf(text: string, at: Position): number {
  let index = 0;
  for (let line = 1; line < at.line; line++) index = text.indexOf('\n', index) + 1;
  return index + at.column - 1;
}

function decode(file: string, bytes: Uint8Array): string | LoadedPlan {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.includes(0)) {
    return failure(file, 'the file holds NUL bytes: it looks like UTF-16 without a byte order mark; save it as UTF-8', 'load.encoding');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    return failure(file, 'the file is not valid UTF-8 (save it as UTF-8, with or without BOM)', 'load.encoding', positionOf(lenient, lenient.indexOf('\uFFFD')));
  }
}

/** Finds the first place nested deeper than MAX_DEPTH, outside strings; momoa would overflow the stack. */
function tooDeepAt(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === '}' || c === ']') depth--;
  }
  return -1;
}

export function loadPlanBytes(file: string, bytes: Uint8Array): LoadedPlan {
  if (bytes.length > MAX_PLAN_BYTES) {
    return failure(file, `the file is ${bytes.length} bytes; a plan may be at most ${MAX_PLAN_BYTES} bytes (1 MiB)`, 'load.size');
  }
  const decoded = decode(file, bytes);
  if (typeof decoded !== 'string') return decoded;
  const text = decoded.replace(/^\uFEFF/, '');
  if (text.trim() === '') return failure(file, 'the file is empty; a plan is a JSON object', 'load.empty');
  const deep = tooDeepAt(text);
  if (deep >= 0) return failure(file, `nested deeper than ${MAX_DEPTH} levels; a plan needs far fewer`, 'load.depth', positionOf(text, deep));

  let document: DocumentNode;
  try {
    document = parse(text, { mode: 'json', ranges: true });
  } catch (error) {
    const e = error as Error & Partial<Position>;
    const at = { line: e.line ?? 1, column: e.column ?? 1 };
    const message = backslashHint(text, indexOf(text, at)) ?? e.message.replace(/\s*\(\d+:\d+\)\s*$/, '');
    return failure(file, `not valid JSON: ${message}`, 'load.syntax', at);
  }

  const valueAt = new Map<string, Position>();
  const keyAt = new Map<string, Position>();
  const diagnostics: Diagnostic[] = [];
  const build = (node: AnyNode, pointer: string): unknown => {
    valueAt.set(pointer, node.loc.start);
    switch (node.type) {
      case 'Object': {
        const out: Record<string, unknown> = {};
        for (const member of node.members) {
          const key = member.name.type === 'String' ? member.name.value : member.name.name;
          const child = `${pointer}/${pointerSegment(key)}`;
          if (Object.hasOwn(out, key)) {
            diagnostics.push({ file, ...member.name.loc.start, pointer: child, severity: 'error', code: 'load.duplicate-key', message: `duplicate property "${key}" (JSON keeps only the last one)` });
          }
          keyAt.set(child, member.name.loc.start);
          Object.defineProperty(out, key, { value: build(member.value, child), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      case 'Array':
        return node.elements.map((element, index) => build(element.value, `${pointer}/${index}`));
      case 'Number': {
        if (Number.isInteger(node.value) && !Number.isSafeInteger(node.value)) {
          diagnostics.push({ file, ...node.loc.start, pointer, severity: 'error', code: 'load.precision', message: `the number ${text.slice(node.range![0], node.range![1])} is too large for JSON to carry exactly; write it as a string` });
        }
        return node.value;
      }
      case 'String':
      case 'Boolean':
        return node.value;
      case 'Null':
        return null;
      default:
        return undefined;
    }
  };
  const value = build(document.body, '');

  const locate = (pointer: string, at: 'value' | 'key' = 'value'): Position => {
    // An error about a missing or unknown member points at the nearest existing ancestor.
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const found = (at === 'key' && p === pointer ? keyAt.get(p) : undefined) ?? valueAt.get(p);
      if (found) return found;
      if (p === '') return { line: 1, column: 1 };
    }
  };
  return { file, value, locate, diagnostics };
}
