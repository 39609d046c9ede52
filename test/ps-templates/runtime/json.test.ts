import { beforeAll, describe, expect, test } from '@jest/globals';
import { describeEngine } from '../../support/engine.js';
import { runWithRuntime } from './harness.js';

/**
 * Each case: PowerShell that yields the value (an expression, or statements that set $v)
 * and the exact JSON ConvertTo-RdsJson must produce.
 */
const CASES: Array<[string, string, string]> = [
  ['hashtable keys sorted ordinally', "$v = [System.Collections.Hashtable]::new([System.StringComparer]::Ordinal); $v['a'] = 1; $v['B'] = 2; $v['_'] = 3; $v['Z'] = 4", '{"B":2,"Z":4,"_":3,"a":1}'],
  ['plain hashtable, nested array', "@{ b = 1; a = @('x') }", '{"a":["x"],"b":1}'],
  ['a key named Keys does not hide the entries', "@{ Keys = 'k'; Values = 'v'; Count = 3 }", '{"Count":3,"Keys":"k","Values":"v"}'],
  ['[ordered] keeps insertion order, integer keys too', "[ordered]@{ z = 1; 0 = 'zero'; a = $null }", '{"z":1,"0":"zero","a":null}'],
  ['PSCustomObject keeps property order', '[pscustomobject]@{ z = 1; a = @() }', '{"z":1,"a":[]}'],
  ['single-element array stays an array', '@(1)', '[1]'],
  ['empty array', '@()', '[]'],
  ['nested single-element arrays', ',@(1)', '[[1]]'],
  ['generic list', '$v = [System.Collections.Generic.List[int]]::new(); $v.Add(1); $v.Add(2)', '[1,2]'],
  ['string[] with one element', "[string[]]@('only')", '["only"]'],
  ['null', '$null', 'null'],
  ['booleans and a switch', '@($true, $false, [switch]::Present)', '[true,false,true]'],
  ['integers of every width', '@([byte]255, [sbyte]-1, [int16]-300, [uint16]65535, [int]-5, [uint32]4294967295, [long]9007199254740993, [uint64]::MaxValue)', '[255,-1,-300,65535,-5,4294967295,9007199254740993,18446744073709551615]'],
  ['doubles round-trip in the invariant culture', '@(0.1, 1.5, 1e20, [double]3, -2.5e-7, [single]0.5)', '[0.1,1.5,1E+20,3,-2.5E-07,0.5]'],
  ['NaN and infinity become null', '@([double]::NaN, [double]::PositiveInfinity)', '[null,null]'],
  ['decimal keeps its digits', '1.10d', '1.10'],
  ['UTC DateTime', '[datetime]::new(2020, 1, 2, 3, 4, 5, 6, [System.DateTimeKind]::Utc)', '"2020-01-02T03:04:05.0060000Z"'],
  ['DateTimeOffset converted to UTC', '[System.DateTimeOffset]::new(2020, 1, 2, 3, 4, 5, [TimeSpan]::FromHours(2))', '"2020-01-02T01:04:05.0000000Z"'],
  ['quote, backslash, control characters', '"a`"b\\c`n`t" + [char]0 + [char]0x1f', '"a\\"b\\\\c\\u000a\\u0009\\u0000\\u001f"'],
  ['DEL, non-ASCII, typographic quote, surrogate pair escaped', '[string][char]0x7f + [char]0xe9 + [char]0x2018 + [char]::ConvertFromUtf32(0x1F600)', '"\\u007f\\u00e9\\u2018\\ud83d\\ude00"'],
  ['printable ASCII untouched', "' !#$%&()*+,-./09:;<=>?@AZ[]^_`az{|}~'", '" !#$%&()*+,-./09:;<=>?@AZ[]^_`az{|}~"'],
  ['string ending in a newline is escaped (no $ anchor trap)', '"abc`n"', '"abc\\u000a"'],
  ['enum as its name', '[System.DayOfWeek]::Monday', '"Monday"'],
  ['deep nesting of mixed containers', "@{ a = [ordered]@{ b = @(@{ c = [pscustomobject]@{ d = @($null) } }) } }", '{"a":{"b":[{"c":{"d":[null]}}]}}'],
];

describeEngine('ConvertTo-RdsJson', () => {
  const outputs = new Map<string, string>();

  beforeAll(async () => {
    const lines = CASES.map(
      ([, expr], i) =>
        (expr.startsWith('$v = ') ? expr : `$v = ${expr}`) + `\nWrite-Host ('@@case ${i} ' + (ConvertTo-RdsJson -InputObject $v))`,
    );
    // A culture with a decimal comma must not change anything.
    const text = ["[System.Threading.Thread]::CurrentThread.CurrentCulture = [System.Globalization.CultureInfo]::new('de-DE')", ...lines].join('\n');
    const r = await runWithRuntime(text);
    expect(r.stderr).toBe('');
    for (const line of r.stdout.split(/\r?\n/)) {
      const m = /^@@case (\d+) (.*)$/.exec(line);
      if (m) outputs.set(m[1]!, m[2]!);
    }
  });

  describe.each(CASES.map(([name, expr, expected], i) => ({ name, expr, expected, i })))('$name', ({ expected, i }) => {
    test('exact output', () => {
      expect(outputs.get(String(i))).toBe(expected);
    });
  });

  test('the output is ASCII and parses back to the same value', () => {
    for (const [, , expected] of CASES) {
      expect(/^[\x20-\x7e]*$/.test(expected)).toBe(true);
      expect(() => JSON.parse(expected)).not.toThrow();
    }
  });

  test('passing an array through -InputObject keeps a single element as an array', async () => {
    const r = await runWithRuntime("$a = @('one'); Write-Host (ConvertTo-RdsJson -InputObject $a); Write-Host (ConvertTo-RdsJson -InputObject @{ list = $a })");
    expect(r.stdout.split(/\r?\n/).filter(Boolean)).toEqual(['["one"]', '{"list":["one"]}']);
  });
});
