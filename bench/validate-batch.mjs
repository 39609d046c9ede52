// Marginal cost of validating one more plan in a batch of 400: `rdsplan validate` with 400
// plans against the same with 1, divided by 399. Goal ≤ 1 ms per plan. Needs `npm run build`.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, timeCommand } from './lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'rdsplan-bench-'));
const files = Array.from({ length: 400 }, (_, i) => {
  const file = join(dir, `plan-${i}.json`);
  copyFileSync(['examples/reset-grace-period.json', 'examples/configure-licensing.json', 'examples/delete-stored-client-licenses.json'][i % 3], file);
  return file;
});
const node = process.execPath;
const one = timeCommand(node, ['dist/rdsplan.mjs', 'validate', files[0]], { runs: 15 });
const many = timeCommand(node, ['dist/rdsplan.mjs', 'validate', ...files], { runs: 15 });
console.log(`validate 1 plan      median ${fmt(one.median)}`);
console.log(`validate 400 plans   median ${fmt(many.median)}`);
console.log(`marginal per plan    ${fmt((many.median - one.median) / 399)} (goal ≤ 1 ms)`);
