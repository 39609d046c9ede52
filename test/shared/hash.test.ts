import { describe, expect, test } from '@jest/globals';
import { approvalToken, canonicalJson, planSha256, scriptSha256 } from '../../src/shared/hash.js';

describe('hashes', () => {
  test('canonical JSON sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
    expect(planSha256({ b: 1, a: 2 })).toBe(planSha256({ a: 2, b: 1 }));
  });

  test('the body hash ignores a BOM and CRLF conversion but nothing else', () => {
    expect(scriptSha256('a\r\nb\r\n')).toBe(scriptSha256('\uFEFFa\nb\n'));
    expect(scriptSha256('a\nb\n')).not.toBe(scriptSha256('a\nb \n'));
  });

  test('the approval token changes with the plan, the tool version and the body', () => {
    const base = approvalToken('a'.repeat(64), '1.0.0', 'body\n');
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(approvalToken('b'.repeat(64), '1.0.0', 'body\n')).not.toBe(base);
    expect(approvalToken('a'.repeat(64), '1.0.1', 'body\n')).not.toBe(base);
    expect(approvalToken('a'.repeat(64), '1.0.0', 'body!\n')).not.toBe(base);
    expect(approvalToken('a'.repeat(64), '1.0.0', 'body\r\n')).toBe(base);
  });
});
