/**
 * Stand-ins for PowerShell in tests of the run layer (RDSPLAN_POWERSHELL): shell scripts that
 * take the script's -RunId and -TargetName as a real run would, and whatever the test needs
 * them to print or do; and a check that a process they started is really gone.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes an executable sh script whose body sees the run id in $run and the host in $host. */
export function fakePowerShell(dir: string, name: string, body: string[]): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      "run=''; host=''",
      'while [ $# -gt 0 ]; do',
      '  case "$1" in -RunId) run=$2; shift ;; -TargetName) host=$2; shift ;; esac',
      '  shift',
      'done',
      ...body,
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

/** True when the pid no longer runs; a zombie (killed, not reaped by an init that does not reap) is gone too. */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
