import { describe, expect, test } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { actionTemplate, platformTemplates, runtimeTemplates, templatesRoot } from '../../src/render/templates.js';
import { verifyScript } from '../../src/verify/verify-script.js';
import { CONTEXT_LINE, EPILOGUE, SCRIPT_START, STEPS, withHeader } from './fixture.js';

/** Every action template, not only those of one plan. */
function allActions() {
  return readdirSync(join(templatesRoot(), 'actions'))
    .filter((name) => name.endsWith('.ps1') && !name.endsWith('.Tests.ps1'))
    .sort()
    .map((name) => actionTemplate(name.slice(0, -'.ps1'.length)));
}

/** The templates as the renderer reads them (ps-templates/README.md), then a steps section. */
function assemble(platform: 'windows' | 'sim'): string {
  const parts = [...runtimeTemplates(), ...platformTemplates(platform), ...allActions()].map((file) => file.text);
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
