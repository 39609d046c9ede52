import { describe, expect, test } from '@jest/globals';
import { formatHeader, splitScript } from '../../src/render/header.js';

const header = { toolVersion: '0.1.0', planName: 'reset-grace', planSha256: 'a'.repeat(64), approvalToken: `sha256:${'b'.repeat(64)}` };

describe('script header', () => {
  test('splits back into the fields and the body, with either line end', () => {
    for (const eol of ['\n', '\r\n']) {
      const text = `\uFEFF${formatHeader(header, eol)}#Requires -Version 5.1${eol}`;
      expect(splitScript(text)).toEqual({ header, body: `#Requires -Version 5.1${eol}` });
    }
  });

  test('refuses a field value that could leave the comment', () => {
    expect(() => formatHeader({ ...header, planName: 'x\n#>' }, '\n')).toThrow(/could leave the comment/);
  });

  test('a script without our header is not split', () => {
    expect(splitScript('Write-Host hi\n')).toBeNull();
    expect(splitScript(formatHeader(header, '\n').replace('# plan: ', '# plan '))).toBeNull();
  });
});
