import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleSections } from '../render/assemble.js';
import { templatesRoot } from '../render/templates.js';

const INCLUDE = /^# rdsplan:include (\S+)\r?$/gm;

/**
 * The fan-out script: ps-templates/fleet/Invoke-RdsFleet.ps1 with each `# rdsplan:include
 * <file>` marker replaced by what the driver reaches of that template, through the assembler
 * that builds plan scripts.
 */
export function fleetDriverText(): string {
  const root = templatesRoot();
  const driver = readFileSync(join(root, 'fleet', 'Invoke-RdsFleet.ps1'), 'utf8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const callerLines = driver.split('\n');
  return driver
    .replace(INCLUDE, (_line, name: string) => {
      const file = { name, text: readFileSync(join(root, name), 'utf8').replace(/^\uFEFF/, '') };
      return assembleSections([file], callerLines).join('').trimEnd();
    })
    .replace(/\n/g, '\r\n');
}
