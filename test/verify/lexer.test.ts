import { describe, expect, test } from '@jest/globals';
import { classifyText } from '../../src/verify/lexer.js';

/** The code characters of `text`, others replaced by `_` (strings) and `~` (comments). */
function codeOnly(text: string): string {
  const kinds = classifyText(text);
  return [...text].map((c, i) => (kinds[i] === 0 ? c : kinds[i] === 1 ? '_' : '~')).join('');
}

describe('classifyText', () => {
  test.each([
    ["$a = 'x ?? y' ?? 1", "$a = ________ ?? 1"],
    ["$a = 'it''s' + 1", "$a = _______ + 1"],
    ['$a = \u2018it\u2019\u2019s\u2019 + 1', '$a = _______ + 1'],
    // `$(` … `)` inside a double-quoted string is code again, strings within it strings.
    ['$a = "x `" ?? $(1 ?? "in ?? ner") y" ?? 2', '$a = _________$(1 ?? ___________)___ ?? 2'],
    ['$a = \u201Cx ?? y\u201D ?? 1', '$a = ________ ?? 1'],
    ['x # ?? comment\n$b ?? 1', 'x ~~~~~~~~~~~~\n$b ?? 1'],
    ['Write-Host a#b ?? 1', 'Write-Host a#b ?? 1'],
    ["Write-Host 'a'#c ?? 1\n(1)#d", 'Write-Host ___~~~~~~~\n(1)~~'],
    ['<# ?? \n ?? #> $c ?? 1', '~~~~~~~~~~~~~ $c ?? 1'],
    // A here-string ends only at '@ at the start of a line; what follows it there is code.
    ["@'\n ?? '@ x\n'@ ?? 1", '______________ ?? 1'],
    ["@'\n'@ ?? 1", '_____ ?? 1'],
    ['@"\n$(1 ?? 2) ??\n"@ ?? 1', '___$(1 ?? 2)______ ?? 1'],
    ["${a ?? 'b'} ?? 1", '___________ ?? 1'],
    ['`"?? 1', '`"?? 1'],
  ])('%j', (text, expected) => {
    expect(codeOnly(text)).toBe(expected);
  });

  test('an unterminated string runs to the end of the text', () => {
    expect(codeOnly("$a = 'open ?? \n ?? ")).toBe('$a = ' + '_'.repeat(14));
  });
});
