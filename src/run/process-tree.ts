import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** What killTree needs of a child: node's ChildProcess and execa's subprocess both fit. */
export interface KillableProcess {
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals): boolean;
}

/**
 * Kills a process and all its descendants. POSIX: the tree is stopped (SIGSTOP) until no new
 * child appears, then killed (SIGKILL), so nothing can fork away in between; it returns once
 * every member has died, so "killed" is true when the caller says it. Windows: `taskkill /T /F`.
 */
export async function killTree(child: KillableProcess): Promise<void> {
  const root = child.pid;
  if (root === undefined) return;
  if (process.platform === 'win32') {
    await new Promise<void>((resolve) => execFile('taskkill', ['/PID', String(root), '/T', '/F'], { windowsHide: true }, () => resolve()));
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return;
  }
  const tree = new Set<number>([root]);
  signal(root, 'SIGSTOP');
  // A SIGSTOP lands when its process is next scheduled, and a fork in flight still completes:
  // the tree is final only when a scan finds no one new and every member has stopped.
  for (let round = 0; round < 500; round++) {
    const before = tree.size;
    for (const pid of descendants(root, tree)) {
      if (!tree.has(pid)) {
        tree.add(pid);
        signal(pid, 'SIGSTOP');
      }
    }
    if (tree.size === before && [...tree].every(stopped)) break;
    if (tree.size === before) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  for (const pid of tree) signal(pid, 'SIGKILL');
  await dead(tree);
}

/** SIGKILL takes effect when the process is next scheduled, which on a loaded host is not at once. */
async function dead(tree: Set<number>): Promise<void> {
  const deadline = Date.now() + 5_000;
  let alive = [...tree];
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    alive = alive.filter(running);
  }
}

/** Not yet a zombie: the state in /proc where there is one, else whether signal 0 still reaches it. */
function running(pid: number): boolean {
  let stat: string | undefined;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    if (existsSync('/proc/self/stat')) return false;
  }
  if (stat !== undefined) return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stopped or gone, as /proc says; where there is no /proc nothing more can be known, so yes. */
function stopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[TtZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Descendants of root: children by parent pid, including children of the known tree members. */
function descendants(root: number, known: Set<number>): number[] {
  const parents = parentTable();
  const found = new Set<number>([root, ...known]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  found.delete(root);
  return [...found];
}

function parentTable(): Map<number, number> {
  const table = new Map<number, number>();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        // pid (comm) state ppid …: comm may hold spaces and parentheses.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        table.set(Number(name), ppid);
      } catch {
        // exited meanwhile
      }
    }
    return table;
  } catch {
    // no /proc (macOS, BSD)
  }
  try {
    const text = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8' });
    for (const row of text.split('\n')) {
      const [pid, ppid] = row.trim().split(/\s+/).map(Number);
      if (Number.isInteger(pid) && Number.isInteger(ppid)) table.set(pid!, ppid!);
    }
  } catch {
    // no ps: only the root is killed
  }
  return table;
}
