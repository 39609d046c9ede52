// Cold `rdsplan review` of a 10-step plan against a bare `node -e 0`, side by side.
// Goal: review ≤ 2× node's own start. Needs `npm run build` first.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, timeCommand } from './lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'rdsplan-bench-'));
const plan = join(dir, 'ten-steps.json');
writeFileSync(
  plan,
  JSON.stringify({
    apiVersion: 'rdsplan/v1',
    name: 'bench-ten-steps',
    targets: ['localhost'],
    steps: [
      { id: 'backup', action: 'registry.export', path: 'HKLM\\SOFTWARE\\Contoso' },
      { id: 'grace', action: 'rds.resetGracePeriod' },
      { id: 'mode', action: 'registry.setValue', path: 'HKLM\\SOFTWARE\\Contoso\\RDS', name: 'Mode', type: 'DWord', data: 4 },
      { id: 'servers', action: 'rds.setLicenseServers', servers: ['lic01.contoso.com', 'lic02.contoso.com'] },
      { id: 'licmode', action: 'rds.setLicensingMode', mode: 'PerUser' },
      { id: 'old', action: 'registry.deleteValue', path: 'HKLM\\SOFTWARE\\Contoso\\RDS', name: 'Legacy' },
    ],
  }),
);
const node = process.execPath;
const baseline = timeCommand(node, ['-e', '0']);
const review = timeCommand(node, ['dist/rdsplan.mjs', 'review', plan]);
console.log(`node -e 0            median ${fmt(baseline.median)} (min ${fmt(baseline.min)}, ${baseline.runs} runs)`);
console.log(`rdsplan review       median ${fmt(review.median)} (min ${fmt(review.min)}, ${review.runs} runs)`);
console.log(`ratio                ${(review.median / baseline.median).toFixed(2)}× (goal ≤ 2×)`);
