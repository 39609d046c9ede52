import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { quotePowerShell, unquotePowerShell } from '../../src/render/quote.js';

const QUOTES = ["'", '\u2018', '\u2019', '\u201A', '\u201B'];

/** Strings built mostly from the characters that break naive quoting. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...QUOTES, '"', '`', '$', '(', ')', '{', '}', '@', '#', '<', '>', ';', '|', '&', '\r', '\n', '\u0000', '\u201C', '\u201D'),
    fc.constantFrom('$(Remove-Item C:\\ -Recurse)', "'@", '"@', '#>', '<#', '${env:PATH}', '`n'),
    fc.string({ unit: 'grapheme' }),
  ),
  maxLength: 40,
});

describe('quotePowerShell', () => {
  test('doubles each of the five single quotes and nothing else', () => {
    expect(quotePowerShell("it's")).toBe("'it''s'");
    expect(quotePowerShell('\u2018a\u2019\u201A\u201B')).toBe("'\u2018\u2018a\u2019\u2019\u201A\u201A\u201B\u201B'");
    expect(quotePowerShell('$(whoami) `n "x"')).toBe("'$(whoami) `n \"x\"'");
    expect(quotePowerShell('')).toBe("''");
  });

  test('round-trips any string through the way PowerShell reads a verbatim literal', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.string({ unit: 'binary' })), (value) => {
        expect(unquotePowerShell(quotePowerShell(value))).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  test('a quoted value never contains an unpaired quote that would end the literal early', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const inner = quotePowerShell(value).slice(1, -1);
        // Scanning as PowerShell's tokenizer does: quote characters come in pairs inside.
        let i = 0;
        while (i < inner.length) {
          if (QUOTES.includes(inner[i]!)) {
            expect(QUOTES).toContain(inner[i + 1]);
            i += 2;
          } else i++;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
