/**
 * Which PowerShell runs scripts: RDSPLAN_POWERSHELL when set, else `pwsh`, else
 * `powershell.exe` (DESIGN.md, "Running PowerShell"). PATH is walked here rather than by
 * shelling out to `which`/`where`, which differ per platform and cost a process start.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

export type PowerShellSource = 'RDSPLAN_POWERSHELL' | 'pwsh' | 'powershell.exe';

export interface FoundPowerShell {
  path: string;
  source: PowerShellSource;
}

/** RDSPLAN_POWERSHELL names something that is not an executable: a configuration error, not "not found". */
export class PowerShellConfigError extends Error {
  override name = 'PowerShellConfigError';
}

export async function findPowerShell(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<FoundPowerShell | null> {
  const configured = env.RDSPLAN_POWERSHELL;
  if (configured !== undefined && configured !== '') {
    const paths = platform === 'win32' ? path.win32 : path.posix;
    const isPath = paths.isAbsolute(configured) || configured.includes('/') || (platform === 'win32' && configured.includes('\\'));
    const found = isPath ? ((await isExecutable(configured, platform)) ? configured : null) : await searchPath(configured, env, platform);
    if (!found) {
      throw new PowerShellConfigError(
        `RDSPLAN_POWERSHELL is set to '${configured}', which is not an executable file${isPath ? '' : ' on PATH'}; unset it or point it at pwsh or powershell.exe`,
      );
    }
    return { path: found, source: 'RDSPLAN_POWERSHELL' };
  }
  const pwsh = await searchPath('pwsh', env, platform);
  if (pwsh) return { path: pwsh, source: 'pwsh' };
  const windowsPowerShell = await searchPath('powershell.exe', env, platform);
  if (windowsPowerShell) return { path: windowsPowerShell, source: 'powershell.exe' };
  return null;
}

/** The first match of `name` on PATH. */
export async function searchPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<string | null> {
  for (const candidate of pathCandidates(name, env, platform)) {
    if (await isExecutable(candidate, platform)) return candidate;
  }
  return null;
}

/** The files to try for `name`, in order; on Windows each PATHEXT extension unless the name has one. */
export function pathCandidates(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const windows = platform === 'win32';
  const paths = windows ? path.win32 : path.posix;
  const extensions = windows ? windowsExtensions(name, lookup(env, 'PATHEXT', windows)) : [''];
  const candidates: string[] = [];
  for (const rawDir of (lookup(env, 'PATH', windows) ?? '').split(windows ? ';' : ':')) {
    // An empty or relative entry means "wherever we stand": never run a PowerShell found that way.
    const dir = windows ? rawDir.trim().replace(/^"(.*)"$/, '$1') : rawDir;
    if (dir === '' || !paths.isAbsolute(dir)) continue;
    for (const extension of extensions) candidates.push(paths.join(dir, name + extension));
  }
  return candidates;
}

function windowsExtensions(name: string, pathext: string | undefined): string[] {
  const extensions = (pathext || '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .filter((e) => e.startsWith('.'))
    .map((e) => e.toLowerCase());
  return extensions.includes(path.win32.extname(name).toLowerCase()) ? [''] : extensions;
}

/** Environment names are case-insensitive on Windows (`Path` is the usual spelling there). */
function lookup(env: NodeJS.ProcessEnv, name: string, windows: boolean): string | undefined {
  if (!windows) return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

async function isExecutable(file: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    // Windows has no execute bit; the extension decides.
    if (platform !== 'win32') await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
