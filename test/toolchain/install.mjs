#!/usr/bin/env node
// Installs what the tests run on into the gitignored .tools/ folder at the repository root:
//   .tools/pwsh/pwsh                  PowerShell 7.6.9 (`dotnet tool install --tool-path`)
//   .tools/nuget/pester/<v>/tools/    Pester, restored from NuGet by pester/Pester.csproj
//   .tools/bin/rdsplan-csharp-check   the Add-Type C# checker (csharp-check/, built here)
// Idempotent: each part is skipped when it is already in place (a stamp holding a hash of
// its inputs), so `npm test` and jest's global setup call it on every run for well under a second.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
export const toolsDir = join(repoRoot, '.tools');
export const POWERSHELL_VERSION = '7.6.9';
export const PESTER_VERSION = readFileSync(join(here, 'pester', 'Pester.csproj'), 'utf8').match(/Include="Pester" Version="\[([^\]]+)\]"/)[1];
export const pwshPath = join(toolsDir, 'pwsh', process.platform === 'win32' ? 'pwsh.exe' : 'pwsh');
export const pesterManifest = join(toolsDir, 'nuget', 'pester', PESTER_VERSION, 'tools', 'Pester.psd1');
export const csharpCheckPath = join(toolsDir, 'bin', 'rdsplan-csharp-check');

const stampDir = join(toolsDir, 'stamps');
const lockDir = join(toolsDir, '.install-lock');

export class ToolchainError extends Error {}

let dotnetVersionCache;
function dotnetVersion() {
  if (dotnetVersionCache !== undefined) return dotnetVersionCache;
  const r = spawnSync('dotnet', ['--version'], { encoding: 'utf8' });
  dotnetVersionCache = r.error || r.status !== 0 ? null : r.stdout.trim();
  return dotnetVersionCache;
}

function requireDotnet() {
  const version = dotnetVersion();
  if (!version) {
    throw new ToolchainError(
      'the tests need the .NET SDK (`dotnet` on PATH) to install PowerShell 7.6.9, Pester and the C# checker into .tools/; install the .NET SDK 10 and run again',
    );
  }
  return version;
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(cs|csproj|props|targets|json)$/.test(entry.name) ? [full] : [];
  });
}

function hashOf(inputs, files) {
  const h = createHash('sha256');
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  for (const input of inputs) h.update(`\0${input}`);
  for (const f of [...files].sort()) {
    h.update(`\0${relative(repoRoot, f)}\0`);
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

const stampOf = (name) => join(stampDir, `${name}.stamp`);
const fresh = (part) => existsSync(stampOf(part.name)) && readFileSync(stampOf(part.name), 'utf8').trim() === part.hash() && part.present();

function run(command, args, what) {
  const r = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' } });
  if (r.status !== 0) throw new ToolchainError(`${what} failed (${r.error ? r.error.message : `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
  return r;
}

const parts = [
  {
    name: 'pwsh',
    hash: () => hashOf([POWERSHELL_VERSION, requireDotnet()], []),
    present: () => existsSync(pwshPath),
    install() {
      const dir = join(toolsDir, 'pwsh');
      rmSync(dir, { recursive: true, force: true });
      run('dotnet', ['tool', 'install', '--tool-path', dir, 'PowerShell', '--version', POWERSHELL_VERSION], `dotnet tool install PowerShell ${POWERSHELL_VERSION}`);
      const r = run(pwshPath, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '$PSVersionTable.PSVersion.ToString()'], 'pwsh --version check');
      if (r.stdout.trim() !== POWERSHELL_VERSION) throw new ToolchainError(`.tools/pwsh/pwsh reports ${r.stdout.trim()}, expected ${POWERSHELL_VERSION}`);
    },
  },
  {
    name: 'pester',
    hash: () => hashOf([requireDotnet()], [join(here, 'pester', 'Pester.csproj')]),
    present: () => existsSync(pesterManifest),
    install() {
      run('dotnet', ['restore', join(here, 'pester', 'Pester.csproj'), '--packages', join(toolsDir, 'nuget'), '--nologo', '-v', 'quiet'], `dotnet restore (Pester ${PESTER_VERSION})`);
      if (!existsSync(pesterManifest)) throw new ToolchainError(`the restore did not bring ${relative(repoRoot, pesterManifest)}`);
    },
  },
  {
    name: 'csharp-check',
    hash: () => hashOf([requireDotnet()], [join(here, 'Directory.Build.props'), ...sourceFiles(join(here, 'csharp-check'))]),
    present: () => existsSync(csharpCheckPath) && existsSync(join(toolsDir, 'csharp-check', 'rdsplan-csharp-check.dll')),
    install() {
      publishCSharpCheck();
      writeLauncher();
    },
  },
];

function publishCSharpCheck() {
  // Into a fresh folder, then swapped in by rename: another jest run in the same tree may be
  // running the previous build right now, and must never see a half-written one.
  const target = join(toolsDir, 'csharp-check');
  const staging = `${target}.new-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const base = ['publish', join(here, 'csharp-check', 'CSharpCheck.csproj'), '-c', 'Release', '-o', staging, '--nologo', '-v', 'quiet'];
  // ReadyToRun halves start-up; it needs the Crossgen2 pack from NuGet, so plain JIT is the fallback.
  let failure = '';
  for (const extra of [['-p:PublishReadyToRun=true'], []]) {
    const r = spawnSync('dotnet', [...base, ...extra], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (r.status === 0) {
      const old = `${target}.old-${process.pid}`;
      if (existsSync(target)) renameSync(target, old);
      renameSync(staging, target);
      rmSync(old, { recursive: true, force: true });
      return;
    }
    failure = `${r.stdout}${r.stderr}`;
    // A compile error fails both ways: do not pay for the second attempt.
    if (/error CS\d+/.test(failure)) break;
  }
  rmSync(staging, { recursive: true, force: true });
  throw new ToolchainError(`dotnet publish csharp-check failed:\n${failure}`);
}

function writeLauncher() {
  mkdirSync(dirname(csharpCheckPath), { recursive: true });
  const temp = `${csharpCheckPath}.tmp-${process.pid}`;
  // `dotnet` from DOTNET_ROOT or PATH: an apphost only finds a runtime in the default install locations.
  writeFileSync(
    temp,
    `#!/bin/sh
# Generated by test/toolchain/install.mjs: do not edit.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
if [ -n "$DOTNET_ROOT" ] && [ -x "$DOTNET_ROOT/dotnet" ]; then
  exec "$DOTNET_ROOT/dotnet" "$here/../csharp-check/rdsplan-csharp-check.dll" "$@"
fi
exec dotnet "$here/../csharp-check/rdsplan-csharp-check.dll" "$@"
`,
  );
  chmodSync(temp, 0o755);
  renameSync(temp, csharpCheckPath);
}

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

/** One installer at a time across processes (several jest runs may share this tree). */
function withLock(fn) {
  mkdirSync(toolsDir, { recursive: true });
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
      if (Date.now() > deadline) throw new ToolchainError(`${lockDir} held for 15 minutes`);
      sleep(500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Installs what is missing or stale; returns the names of the parts it installed. */
export function installToolchain({ quiet = false } = {}) {
  const stale = () => parts.filter((part) => !fresh(part));
  if (stale().length === 0) return [];
  const started = Date.now();
  const installed = withLock(() =>
    // Checked again under the lock: another process may have just installed it.
    stale().map((part) => {
      if (!quiet) process.stderr.write(`toolchain: installing ${part.name} into .tools/ ...\n`);
      const hash = part.hash();
      rmSync(stampOf(part.name), { force: true });
      part.install();
      mkdirSync(stampDir, { recursive: true });
      writeFileSync(stampOf(part.name), `${hash}\n`);
      return part.name;
    }),
  );
  if (!quiet && installed.length > 0) process.stderr.write(`toolchain: installed ${installed.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return installed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    installToolchain();
  } catch (e) {
    process.stderr.write(`toolchain: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
