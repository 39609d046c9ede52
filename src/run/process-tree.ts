import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** What killTree needs of a child: node's ChildProcess and execa's subprocess both fit. */
export interface KillableProcess {
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals): boolean;
}

/**
 * Kills a process and all its descendants. POSIX: the tree is stopped (SIGSTOP) until no new
 * child appears, then killed (SIGKILL), so nothing can fork away in between. Windows:
 * `taskkill /T /F`.
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
  for (let round = 0; round < 5; round++) {
    const before = tree.size;
    for (const pid of descendants(root, tree)) {
      if (!tree.has(pid)) {
        tree.add(pid);
        signal(pid, 'SIGSTOP');
      }
    }
    if (tree.size === before) break;
  }
  for (const pid of tree) signal(pid, 'SIGKILL');
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
