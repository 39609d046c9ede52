// Jest global setup: prepare a PowerShell for the engine tests (test/support/engine.ts).
// With the .NET SDK present, build test/engine (the SMA-based engine and the Add-Type C#
// checker); the build is skipped in well under a second when its sources are unchanged.
// It is built even when pwsh exists, because the C# checker has no pwsh equivalent.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function hasCommand(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
  return r.status === 0;
}

export default async function globalSetup() {
  // Workers inherit this; describeEngine uses it to print a skip reason once per run.
  process.env.RDSPLAN_JEST_RUN_ID = `${process.pid}-${Date.now()}`;
  rmSync(join(tmpdir(), 'rdsplan-engine-skip-notes'), { recursive: true, force: true });
  if (process.env.RDSPLAN_SKIP_ENGINE_BUILD === '1' || !hasCommand('dotnet')) return;
  const { buildEngine, engineNeedsBuild } = await import('../engine/build.mjs');
  if (engineNeedsBuild()) process.stderr.write('\nbuilding test/engine (first run takes about a minute)...\n');
  try {
    buildEngine({ quiet: true });
  } catch (e) {
    // Without an engine the suites skip (or fail under RDSPLAN_REQUIRE_ENGINE=1) with
    // their own message; the build's output says what went wrong.
    if (process.env.RDSPLAN_REQUIRE_ENGINE === '1') throw e;
    process.stderr.write(`test/engine build failed: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
