import { readdirSync, readFileSync } from 'node:fs';

/** Live (non-zombie) processes carrying `RDSPLAN_TEST_MARK=<mark>` in their environment; Linux only. */
export function survivors(mark: string): number[] {
  if (process.platform !== 'linux') return [];
  const alive: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'latin1').includes(`RDSPLAN_TEST_MARK=${mark}`)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (!stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) alive.push(Number(name));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return alive;
}
