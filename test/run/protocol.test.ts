import { describe, expect, test } from '@jest/globals';
import { LineSplitter, parseProtocolLine } from '../../src/run/protocol.js';

describe('results protocol lines', () => {
  test('ordinary output is not an event; a protocol line is parsed', () => {
    expect(parseProtocolLine('WARNING: something')).toBeNull();
    expect(parseProtocolLine('@@rdsplan {"event":"step","runId":"r","host":"h","time":"t","stepId":"a","action":"service.start","status":"changed","durationMs":3}\r')).toMatchObject({ stepId: 'a', status: 'changed' });
  });

  test('a garbled protocol line is an error, not silently dropped', () => {
    expect(() => parseProtocolLine('@@rdsplan {"event":"step"')).toThrow(/malformed protocol line/);
    expect(() => parseProtocolLine('@@rdsplan {"event":"step","runId":"r","host":"h","stepId":"a","status":"done"}')).toThrow(/required fields/);
  });

  test('lines split across chunks are reassembled, CRLF or LF', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter();
    for (const chunk of ['@@rdsp', 'lan {"a":1}\r', '\nsecond\nthi', 'rd']) splitter.push(chunk, (l) => lines.push(l));
    splitter.flush((l) => lines.push(l));
    expect(lines).toEqual(['@@rdsplan {"a":1}', 'second', 'third']);
  });
});

describe('terminal escape sequences (pwsh writes them into pipes unless told not to)', () => {
  test("a protocol line behind node-powershell's ESC[?1h ESC[?1l prefix is still an event", () => {
    const lines: string[] = [];
    new LineSplitter().push('\x1b[?1h\x1b=\x1b[?1l@@rdsplan {"event":"start","runId":"r","host":"h"}\n', (l) => lines.push(l));
    expect(lines).toEqual(['@@rdsplan {"event":"start","runId":"r","host":"h"}']);
    expect(parseProtocolLine(lines[0]!)).toMatchObject({ event: 'start' });
  });

  test('colour codes are taken out of ordinary lines and of JSON-escaped messages', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter();
    splitter.push('\x1b[31;1mAccess is denied.\x1b[0m\n\x1b]0;title\x07plain\n', (l) => lines.push(l));
    expect(lines).toEqual(['Access is denied.', 'plain']);
    const event = parseProtocolLine('@@rdsplan {"event":"step","runId":"r","host":"h","stepId":"a","status":"failed","message":"\\u001b[31;1mAccess is denied.\\u001b[0m"}');
    expect(event).toMatchObject({ message: 'Access is denied.' });
  });
});
