/**
 * Which characters of a PowerShell script are code, and which sit inside a string or a comment.
 *
 * Tree-sitter gives string and comment nodes too, but only where it could parse: inside the
 * ERROR regions that PowerShell 7 syntax produces (`??`, `?:`, `?.`) its recovery splits
 * strings into loose tokens. The 7-only check must not mistake a `?` inside such a string for
 * an operator, so it asks this lexer, which follows PowerShell's own quoting rules (the
 * typographic quotes included) and knows nothing else.
 */
export const CODE = 0;
export const STRING = 1;
export const COMMENT = 2;

const SINGLE_QUOTES = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);
const DOUBLE_QUOTES = new Set(['"', '\u201C', '\u201D', '\u201E']);
// Where a `#` starts a comment: after a space, an operator or a closing quote or bracket.
// Glued to a word (`a#b`, `$x#c`) PowerShell reads it as part of the word in a command
// argument, but as a comment in an expression (`$y = $x#c`): this lexer says word.
const BEFORE_COMMENT = /[\s;(){}[\]|&,='"\u2018\u2019\u201A\u201B\u201C\u201D\u201E]/;

export function classifyText(text: string): Uint8Array {
  const kinds = new Uint8Array(text.length);
  lexCode(text, 0, kinds, false);
  return kinds;
}

/** Lexes code from `start`; inside `$( … )` (nested) it stops after the closing parenthesis. */
function lexCode(text: string, start: number, kinds: Uint8Array, nested: boolean): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '`') {
      i += 2;
    } else if (c === '<' && text[i + 1] === '#') {
      const end = text.indexOf('#>', i + 2);
      i = mark(kinds, i, end < 0 ? text.length : end + 2, COMMENT);
    } else if (c === '#' && (i === 0 || BEFORE_COMMENT.test(text[i - 1]!))) {
      i = mark(kinds, i, lineEnd(text, i), COMMENT);
    } else if (c === '@' && (SINGLE_QUOTES.has(text[i + 1] ?? '') || DOUBLE_QUOTES.has(text[i + 1] ?? '')) && opensHereString(text, i + 2)) {
      i = lexHereString(text, i, kinds);
    } else if (SINGLE_QUOTES.has(c)) {
      i = lexVerbatim(text, i, kinds);
    } else if (DOUBLE_QUOTES.has(c)) {
      i = lexExpandable(text, i, kinds);
    } else if (c === '$' && text[i + 1] === '{') {
      // ${any name} is a variable name, not code: `${a'b}` holds no quote.
      const end = text.indexOf('}', i + 2);
      i = mark(kinds, i, end < 0 ? text.length : end + 1, STRING);
    } else if (nested && c === '(') {
      depth++;
      i++;
    } else if (nested && c === ')') {
      i++;
      if (depth-- === 0) return i;
    } else {
      i++;
    }
  }
  return i;
}

function lexVerbatim(text: string, start: number, kinds: Uint8Array): number {
  let i = start + 1;
  while (i < text.length) {
    if (SINGLE_QUOTES.has(text[i]!)) {
      if (SINGLE_QUOTES.has(text[i + 1] ?? '')) i += 2;
      else return mark(kinds, start, i + 1, STRING);
    } else {
      i++;
    }
  }
  return mark(kinds, start, i, STRING);
}

function lexExpandable(text: string, start: number, kinds: Uint8Array): number {
  let i = start + 1;
  let from = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '`') {
      i += 2;
    } else if (DOUBLE_QUOTES.has(c)) {
      if (DOUBLE_QUOTES.has(text[i + 1] ?? '')) i += 2;
      else return mark(kinds, from, i + 1, STRING);
    } else if (c === '$' && text[i + 1] === '(') {
      mark(kinds, from, i, STRING);
      i = lexCode(text, i + 2, kinds, true);
      from = i;
    } else {
      i++;
    }
  }
  return mark(kinds, from, i, STRING);
}

function opensHereString(text: string, i: number): boolean {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return text[i] === '\n' || text[i] === '\r';
}

function lexHereString(text: string, start: number, kinds: Uint8Array): number {
  const expandable = DOUBLE_QUOTES.has(text[start + 1]!);
  const quotes = expandable ? DOUBLE_QUOTES : SINGLE_QUOTES;
  let i = lineEnd(text, start);
  let from = start;
  while (i < text.length) {
    const c = text[i]!;
    if ((c === '\n' || c === '\r') && quotes.has(text[nextLine(text, i)] ?? '') && text[nextLine(text, i) + 1] === '@') {
      return mark(kinds, from, nextLine(text, i) + 2, STRING);
    }
    if (expandable && c === '`') {
      i += 2;
    } else if (expandable && c === '$' && text[i + 1] === '(') {
      mark(kinds, from, i, STRING);
      i = lexCode(text, i + 2, kinds, true);
      from = i;
    } else {
      i++;
    }
  }
  return mark(kinds, from, i, STRING);
}

function nextLine(text: string, i: number): number {
  return text[i] === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1;
}

function lineEnd(text: string, i: number): number {
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

function mark(kinds: Uint8Array, from: number, to: number, kind: number): number {
  kinds.fill(kind, from, Math.min(to, kinds.length));
  return to;
}
