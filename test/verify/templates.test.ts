import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyScript } from '../../src/verify/verify-script.js';
import { CONTEXT_LINE, EPILOGUE, SCRIPT_START, STEPS, withHeader } from './fixture.js';

const templates = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'ps-templates');

function ps1Files(dir: string): string[] {
  return readdirSync(join(templates, dir))
    .filter((name) => name.endsWith('.ps1'))
    .sort()
    .map((name) => join(templates, dir, name));
}

/** The templates in the renderer's order (ps-templates/README.md), then a steps section. */
function assemble(platform: 'windows' | 'sim'): string {
  const parts = [...ps1Files('runtime'), ...ps1Files(`platform/${platform}`), ...ps1Files('actions')].map((file) => readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  return withHeader([...SCRIPT_START, ...parts, CONTEXT_LINE, ...STEPS, EPILOGUE].join('\r\n') + '\r\n');
}

// The renderer's self-check runs verify on exactly this kind of text: a grammar gap or a
// PowerShell 7 construct in any template would fail every render.
describe('the ps-templates, assembled as the renderer does', () => {
  test.each(['windows', 'sim'] as const)('platform/%s: no findings', async (platform) => {
    const report = await verifyScript(assemble(platform), { powershell: 'off' });
    expect(report.findings).toEqual([]);
  });
});
