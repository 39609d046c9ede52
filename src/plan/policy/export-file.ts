import { primitive } from '../../actions/index.js';
import type { PolicyRule } from './types.js';

/**
 * A backup is only worth something if nobody else can swap it: the file a backup step names
 * (its definition's `backupFile` parameter) must be an absolute Windows path with no `.` or `..` segment, inside the plan's backup folder (which
 * the run creates with a protected ACL), unless the step says why it belongs elsewhere.
 */
const ABSOLUTE = /^(?:[A-Za-z]:\\|\\\\[^\\]+\\[^\\]+\\)/;

function segments(path: string): string[] {
  return path.split(/[\\/]+/).filter((segment) => segment !== '');
}

function inside(file: string, folder: string): boolean {
  const f = segments(file.toLowerCase());
  const d = segments(folder.toLowerCase());
  return d.length < f.length && d.every((segment, i) => f[i] === segment);
}

export const exportFileInBackupFolder: PolicyRule = ({ steps, backupDirectory = '' }) =>
  steps.flatMap((step) => {
    const parameter = primitive(step.action).backupFile;
    const file = parameter === undefined ? undefined : step.params[parameter];
    if (typeof file !== 'string') return [];
    const pointer = `${step.pointer}/${parameter}`;
    const finding = (message: string) => [{ pointer, severity: 'error' as const, code: 'policy.export-file', message }];
    if (!ABSOLUTE.test(file) || file.includes('/')) return finding(`"${file}" is not an absolute Windows path (C:\\… or \\\\server\\share\\…, backslashes only)`);
    if (segments(file).some((segment) => segment === '.' || segment === '..')) return finding(`"${file}" has a "." or ".." segment; name the folder it is in`);
    if (step.params.outsideBackupDirectory !== undefined || inside(file, backupDirectory)) return [];
    return finding(`"${file}" is outside the backup folder ${backupDirectory}, which the run protects; put it there or add "outsideBackupDirectory": { "reason": "…" }`);
  });
