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
  return lexStringBody(text, start, start + 1, kinds, {
    escapeAt: (i) => (text[i] === '`' || (DOUBLE_QUOTES.has(text[i]!) && DOUBLE_QUOTES.has(text[i + 1] ?? '')) ? 2 : 0),
    closeAt: (i) => (DOUBLE_QUOTES.has(text[i]!) ? i + 1 : null),
    code: true,
  });
}

function opensHereString(text: string, i: number): boolean {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return text[i] === '\n' || text[i] === '\r';
}

function lexHereString(text: string, start: number, kinds: Uint8Array): number {
  const expandable = DOUBLE_QUOTES.has(text[start + 1]!);
  const quotes = expandable ? DOUBLE_QUOTES : SINGLE_QUOTES;
  return lexStringBody(text, start, lineEnd(text, start), kinds, {
    escapeAt: (i) => (expandable && text[i] === '`' ? 2 : 0),
    closeAt: (i) => ((text[i] === '\n' || text[i] === '\r') && quotes.has(text[nextLine(text, i)] ?? '') && text[nextLine(text, i) + 1] === '@' ? nextLine(text, i) + 2 : null),
    code: expandable,
  });
}

/**
 * The body of a string from `i` to where `closeAt` ends it: an escape (a backtick, a doubled
 * quote) is passed over whole, and in an expandable string `$(` opens code that is lexed as code.
 */
function lexStringBody(
  text: string,
  start: number,
  i: number,
  kinds: Uint8Array,
  rules: { escapeAt: (i: number) => number; closeAt: (i: number) => number | null; code: boolean },
): number {
  let from = start;
  while (i < text.length) {
    const skip = rules.escapeAt(i);
    if (skip > 0) {
      i += skip;
      continue;
    }
    const end = rules.closeAt(i);
    if (end !== null) return mark(kinds, from, end, STRING);
    if (rules.code && text[i] === '$' && text[i + 1] === '(') {
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
