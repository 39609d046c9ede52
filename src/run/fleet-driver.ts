import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templatesRoot } from '../render/templates.js';

/** The fan-out script with the runtime pieces it includes (one marker line per include). */
export function fleetDriverText(): string {
  const root = templatesRoot();
  return readFileSync(join(root, 'fleet', 'Invoke-RdsFleet.ps1'), 'utf8')
    .replace(/^\uFEFF/, '')
    .replace(/^# rdsplan:include (\S+)\r?$/gm, (_line, file: string) => readFileSync(join(root, file), 'utf8').replace(/^\uFEFF/, ''))
    .replace(/\r?\n/g, '\r\n');
}
