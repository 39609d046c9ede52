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
