/**
 * Text from a host or a record (host names, step messages, before/after values, paths) is
 * printed with its control characters escaped: a C0/C1 control or DEL becomes `\xNN`, so a
 * host cannot move the cursor, recolour, retitle or rewrite the operator's terminal, nor fake
 * a line of rdsplan's own output with an embedded newline.
 */
// C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides.
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(CONTROLS, (c) => {
    if (options.keepNewlines && c === '\n') return c;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
