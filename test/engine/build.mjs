#!/usr/bin/env node
// Builds the test PowerShell engine (host/) and the Add-Type C# checker (csharp-check/)
// into test/engine/out/ and writes their launchers to test/engine/bin/.
// Idempotent: a stamp per project holding a hash of its sources skips its build (no dotnet
// start-up at all) when nothing changed, so jest's global setup can call it every run.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const outDir = join(root, 'out');
const binDir = join(root, 'bin');

/** name: project folder, exe: assembly name, launcher: file in bin/ */
const projects = [
  { dir: 'host', project: 'RdsPlanEngine.csproj', exe: 'rdsplan-engine', launcher: 'rdsplan-engine' },
  { dir: 'csharp-check', project: 'CSharpCheck.csproj', exe: 'rdsplan-csharp-check', launcher: 'rdsplan-csharp-check' },
];

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['bin', 'obj', 'out', 'node_modules'].includes(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (/\.(cs|csproj|props|targets|json)$/.test(entry.name)) files.push(full);
  }
  return files;
}

let dotnetVersionCache;
function findDotnet() {
  if (dotnetVersionCache !== undefined) return dotnetVersionCache;
  const r = spawnSync('dotnet', ['--version'], { encoding: 'utf8' });
  dotnetVersionCache = r.error || r.status !== 0 ? null : r.stdout.trim();
  return dotnetVersionCache;
}

/** Per project, so a change to one does not rebuild the other. */
function sourceHash(p, dotnetVersion) {
  const h = createHash('sha256');
  h.update(`dotnet ${dotnetVersion}\n`);
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  const files = [join(root, 'Directory.Build.props'), ...sourceFiles(join(root, p.dir))].sort();
  for (const f of files) {
    h.update(`\0${relative(root, f)}\0`);
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

const stampOf = (p) => join(outDir, `${p.dir}.stamp`);

function upToDate(p, hash) {
  const stamp = stampOf(p);
  return (
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === hash &&
    existsSync(join(binDir, p.launcher)) &&
    existsSync(join(outDir, p.dir, `${p.exe}.dll`))
  );
}

function publish(p) {
  // Into a fresh folder, then swapped in by rename: other jest runs in the same tree may be
  // running the previous build right now, and must never see a half-written one.
  const target = join(outDir, p.dir);
  const staging = `${target}.new-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const base = ['publish', join(root, p.dir, p.project), '-c', 'Release', '-o', staging, '--nologo', '-v', 'quiet'];
  // ReadyToRun precompiles SMA (start-up is about half otherwise); it needs the
  // Crossgen2 pack from NuGet, so a plain JIT build is the fallback.
  for (const extra of [['-p:PublishReadyToRun=true'], []]) {
    const r = spawnSync('dotnet', [...base, ...extra], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (r.status === 0) {
      const old = `${target}.old-${process.pid}`;
      if (existsSync(target)) renameSync(target, old);
      renameSync(staging, target);
      rmSync(old, { recursive: true, force: true });
      return extra.length > 0 ? 'ReadyToRun' : 'JIT';
    }
    process.stderr.write(`build:engine: dotnet publish ${p.dir} ${extra.join(' ')} failed:\n${r.stdout}${r.stderr}\n`);
    // A compile error fails both ways: do not pay for the second attempt.
    if (/error CS\d+/.test(r.stdout + r.stderr)) break;
  }
  rmSync(staging, { recursive: true, force: true });
  throw new Error(`build:engine: could not build ${p.dir}`);
}

const lockDir = join(outDir, '.build-lock');

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** One builder at a time across processes (several jest runs share this tree). */
function withLock(fn) {
  mkdirSync(outDir, { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        // the owner is between mkdir and writing its pid
      }
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`build:engine: ${lockDir} held for 15 minutes`);
      sleep(500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function writeLauncher(p) {
  mkdirSync(binDir, { recursive: true });
  const file = join(binDir, p.launcher);
  // Relative to the launcher, so the tree can move; `dotnet` from PATH (or DOTNET_ROOT's)
  // because an apphost only finds a runtime in the default install locations.
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(
    temp,
    `#!/bin/sh
# Generated by test/engine/build.mjs: do not edit.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
POWERSHELL_TELEMETRY_OPTOUT=1
export POWERSHELL_TELEMETRY_OPTOUT
if [ -n "$DOTNET_ROOT" ] && [ -x "$DOTNET_ROOT/dotnet" ]; then
  exec "$DOTNET_ROOT/dotnet" "$here/../out/${p.dir}/${p.exe}.dll" "$@"
fi
exec dotnet "$here/../out/${p.dir}/${p.exe}.dll" "$@"
`,
  );
  chmodSync(temp, 0o755);
  renameSync(temp, file);
}

/** True when buildEngine would build (for a "first run" notice). */
export function engineNeedsBuild() {
  const dotnetVersion = findDotnet();
  return dotnetVersion !== null && projects.some((p) => !upToDate(p, sourceHash(p, dotnetVersion)));
}

export function buildEngine({ quiet = false } = {}) {
  const dotnetVersion = findDotnet();
  if (!dotnetVersion) throw new Error('build:engine: the .NET SDK (dotnet) is not on PATH');
  const stale = () => projects.filter((p) => !upToDate(p, sourceHash(p, dotnetVersion)));
  if (stale().length === 0) {
    if (!quiet) console.log('build:engine: up to date');
    return { built: false };
  }
  const started = Date.now();
  const built = withLock(() =>
    // Checked again under the lock: another process may have just built it.
    stale().map((p) => {
      const hash = sourceHash(p, dotnetVersion);
      rmSync(stampOf(p), { force: true });
      const mode = publish(p);
      writeLauncher(p);
      writeFileSync(stampOf(p), `${hash}\n`);
      return `${p.dir} (${mode})`;
    }),
  );
  if (!quiet) {
    console.log(
      built.length === 0
        ? 'build:engine: up to date (built by another process)'
        : `build:engine: built ${built.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return { built: built.length > 0 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    buildEngine();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
