import { readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Plan arguments as an administrator types them: files, folders (every *.json inside) and
 * wildcards. cmd.exe and PowerShell hand `plans\*.json` to a native program unexpanded, so the
 * CLI expands it itself, on every platform alike. Each entry names the file as the user would
 * read it (`file`) and where it is (`path`), or why nothing could be read (`problem`).
 */
export type PlanArgument = { file: string; path: string } | { file: string; problem: string };

const WILDCARD = /[*?]/;
const JSON_FILE = /\.json$/i;

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Regular files of a folder whose names pass `keep`, in ordinal order (the same on every machine). */
function filesIn(folder: string, keep: (name: string) => boolean): string[] | undefined {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return undefined;
  }
  return names.filter((name) => keep(name) && statOf(join(folder, name))?.isFile() === true).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `*` is any run of characters and `?` one, within a file name; everything else is literal. */
export function wildcardRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

function expandOne(arg: string, cwd: string, platform: NodeJS.Platform): PlanArgument[] {
  const path = resolve(cwd, arg);
  const stat = statOf(path);
  if (stat?.isDirectory()) {
    const names = filesIn(path, (name) => JSON_FILE.test(name)) ?? [];
    if (names.length === 0) return [{ file: arg, problem: `the folder ${arg} holds no *.json plan files` }];
    return names.map((name) => ({ file: join(arg, name), path: join(path, name) }));
  }
  if (stat || !WILDCARD.test(arg)) return [{ file: arg, path }];

  const cut = Math.max(arg.lastIndexOf('/'), arg.lastIndexOf('\\'));
  const folder = cut < 0 ? '' : arg.slice(0, cut + 1);
  const pattern = arg.slice(cut + 1);
  if (WILDCARD.test(folder)) return [{ file: arg, problem: `wildcards are expanded in the file name only, not in folder names: ${arg}` }];
  // Both separators work on Windows; elsewhere a backslash typed for a Windows shell means one too.
  const folderPath = resolve(cwd, platform === 'win32' ? folder || '.' : folder.replace(/\\/g, '/') || '.');
  const match = wildcardRegExp(pattern, platform === 'win32' || platform === 'darwin');
  const names = filesIn(folderPath, (name) => match.test(name));
  if (names === undefined) return [{ file: arg, problem: `no file matches ${arg}: there is no folder ${folder}` }];
  if (names.length === 0) return [{ file: arg, problem: `no file matches ${arg}` }];
  return names.map((name) => ({ file: `${folder}${name}`, path: join(folderPath, name) }));
}

/** Every plan the arguments name, each once, in the order given (a folder's or wildcard's files sorted). */
export function expandPlanArguments(args: readonly string[], cwd: string, platform: NodeJS.Platform = process.platform): PlanArgument[] {
  const seen = new Set<string>();
  return args.flatMap((arg) => expandOne(arg, cwd, platform)).filter((entry) => {
    if (!('path' in entry)) return true;
    const key = platform === 'win32' ? entry.path.toLowerCase() : entry.path;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
