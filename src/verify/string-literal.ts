/**
 * The value of a constant string as PowerShell reads it, for checks that judge a literal
 * argument (a separator, an encoding name, a native program's argument).
 */
import type { Node } from 'web-tree-sitter';
import { unquotePowerShell } from '../render/quote.js';
import type { ParsedScript } from './parsed-script.js';
import { unwrap } from './tree-walk.js';

// The escapes of a double-quoted string in both versions (about_Special_Characters); any other
// `x is x. (`e and `u{…} are 6.0+; ps51-pitfalls.ts reports them.)
const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * 'verbatim', "expandable" without a `$` (escapes decoded) or a bare word; null for anything
 * else (variables, subexpressions, here-strings), whose value is not known before the run.
 */
export function literalText(script: ParsedScript, node: Node): string | null {
  const n = unwrap(node);
  const text = script.textOf(n);
  if (n.type === 'generic_token') return text;
  const inner = n.type === 'string_literal' ? n.child(0) : n;
  if (!inner) return null;
  if (inner.type === 'verbatim_string_characters') {
    try {
      return unquotePowerShell(script.textOf(inner));
    } catch {
      return null;
    }
  }
  if (inner.type !== 'expandable_string_literal') return null;
  const body = script.textOf(inner).slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '`' && i + 1 < body.length) {
      const next = body[++i]!;
      out += ESCAPES[next] ?? next;
    } else if (c === '$') {
      // `$` followed by a name, `(` or `{` expands: the value is known only at run time.
      if (/[\w({:?^]/.test(body[i + 1] ?? '')) return null;
      out += c;
    } else if (c === '"' && body[i + 1] === '"') {
      out += c;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
