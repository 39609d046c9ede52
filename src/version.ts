/** Replaced by the bundle with package.json's version; read from it when running from source. */
declare const RDSPLAN_VERSION: string | undefined;

import { readFileSync } from 'node:fs';

function fromPackageJson(): string {
  const url = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

export const TOOL_VERSION: string = typeof RDSPLAN_VERSION === 'string' ? RDSPLAN_VERSION : fromPackageJson();
