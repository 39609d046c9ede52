/**
 * The one way a plan value enters PowerShell: as a single-quoted (verbatim) literal.
 *
 * PowerShell's tokenizer treats U+0027 and the typographic quotes U+2018, U+2019, U+201A and
 * U+201B alike as single quotes; inside a verbatim string any two of them in a row stand for
 * the second one. Doubling every one of them is therefore the whole escaping job: nothing
 * else is special inside single quotes (no `$`, no backtick, no subexpression).
 */
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

export function quotePowerShell(value: string): string {
  return `'${value.replace(SINGLE_QUOTES, (quote) => quote + quote)}'`;
}

/** The inverse of quotePowerShell for a literal's inner text, as PowerShell reads it. */
export function unquotePowerShell(literal: string): string {
  if (literal.length < 2 || !SINGLE_QUOTE_CHARS.has(literal[0]!) || !SINGLE_QUOTE_CHARS.has(literal[literal.length - 1]!)) {
    throw new Error(`not a single-quoted literal: ${literal.slice(0, 40)}`);
  }
  const inner = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (SINGLE_QUOTE_CHARS.has(c)) {
      const next = inner[i + 1];
      if (next === undefined || !SINGLE_QUOTE_CHARS.has(next)) throw new Error('unescaped quote inside a literal');
      out += next;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

const SINGLE_QUOTE_CHARS = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);
