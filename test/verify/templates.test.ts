import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { actionTemplate, platformTemplates, runtimeTemplates, templatesRoot } from '../../src/render/templates.js';
import { verifyScript } from '../../src/verify/verify-script.js';
import { CONTEXT_LINE, EPILOGUE, SCRIPT_START, STEPS, withHeader } from '../support/scripts.js';

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

/** The RdsPlan module's loader and every file of its Public/ and Private/ folders. */
function moduleFiles(): string[] {
  const module = 'powershell/RdsPlan';
  const folder = (name: string) =>
    readdirSync(join(templatesRoot(), '..', module, name))
      .sort()
      .map((file) => `${module}/${name}/${file}`);
  return [`${module}/RdsPlan.psm1`, ...folder('Private'), ...folder('Public')];
}

// PowerShell that runs outside a rendered script: the fleet driver (its runtime include is
// checked above) and the RdsPlan module. No header or steps section, so only the 5.1 checks apply.
describe('the fleet driver and the RdsPlan module', () => {
  test('the module files are its loader, private and public functions', () => {
    const files = moduleFiles();
    expect(files.filter((file) => file.includes('/Public/'))).toContain('powershell/RdsPlan/Public/Invoke-RdsPlan.ps1');
    expect(files.filter((file) => file.includes('/Private/'))).toContain('powershell/RdsPlan/Private/Invoke-RdsPlanCli.ps1');
  });

  test.each(['ps-templates/fleet/Invoke-RdsFleet.ps1', ...moduleFiles()])('%s: no 7-only construct and no 5.1 pitfall', async (file) => {
    const report = await verifyScript(readFileSync(join(templatesRoot(), '..', file), 'utf8'), { powershell: 'off' });
    expect(report.findings.filter((f) => f.code === 'ps7-only' || f.code === 'ps51-pitfall')).toEqual([]);
  });
});
