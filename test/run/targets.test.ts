import { describe, expect, test } from '@jest/globals';
import { isLocalTarget, selectTargets } from '../../src/run/targets.js';

describe('targets', () => {
  test('localhost without port or SSL runs directly; anything else goes through remoting', () => {
    expect(isLocalTarget({ computerName: 'LOCALHOST' })).toBe(true);
    expect(isLocalTarget({ computerName: 'localhost', port: 5986 })).toBe(false);
    expect(isLocalTarget({ computerName: 'rdsh01' })).toBe(false);
  });

  test('--target narrows case-insensitively and refuses names the plan does not have', () => {
    const targets = [{ computerName: 'rdsh01' }, { computerName: 'RDSH02' }];
    expect(selectTargets(targets, ['rdsh02'])).toEqual([{ computerName: 'RDSH02' }]);
    expect(selectTargets(targets, undefined)).toEqual(targets);
    expect(() => selectTargets(targets, ['rdsh03'])).toThrow('--target rdsh03: not a target of this plan (targets: rdsh01, RDSH02)');
  });
});
