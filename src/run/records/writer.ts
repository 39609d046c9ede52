import { closeSync, fsyncSync, ftruncateSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../shared/hash.js';
import type { HostRun } from '../host-run.js';
import type { RunEvent } from '../protocol.js';
import { finalRecord, intentRecord, type JournalEntry, type RecordIntent, type RunRecord } from '../record.js';
import { buildManifest } from './manifest.js';
import { reportFiles } from './report-files.js';
import { createFile, createUniqueFolder, ensurePrivateFolders, hostFolderAcl, realFileOps, replaceFile, writeNewFile, type FileOps, type FolderAcl } from './store.js';

/**
 * Writes one host's run record as the run happens: the intent before PowerShell starts (plan
 * bytes as validated, the script that will run, tokens, approval, targets; status
 * 'incomplete'), then each protocol line and each journal entry appended the moment it
 * arrives (written to the OS at once, so a kill -9 of rdsplan loses nothing already
 * reported), then the final record with its manifest, replacing the intent atomically. A
 * run that never reaches finalize leaves the intent: listed as incomplete, undoable from its
 * journal.
 */
export const RECORD_FILES = { record: 'record.json', plan: 'plan.json', script: 'script.ps1', events: 'events.jsonl', journal: 'journal.jsonl', stderr: 'stderr.log' } as const;

/** The records root's own folders, created private or refused. */
export function ensureRecordsRoot(root: string, acl: FolderAcl = hostFolderAcl): void {
  ensurePrivateFolders([root, join(root, 'runs'), join(root, 'backups')], acl);
}

function folderPrefix(startedAt: Date, planName: string, host: string): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1Z');
  return `${stamp}-${planName}-${host.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

export class RecordWriter {
  private readonly fds: { events: number; journal: number; stderr: number };
  private readonly intent: RunRecord;
  /** The first write that failed (a full disk): the record is incomplete from then on. */
  failure: Error | undefined;
  private closed = false;
  /** Bytes each appended file holds in whole lines: what a failed append is cut back to. */
  private readonly lengths = new Map<number, number>();
  /** The report files written so far (licenseServer.reportCals' JSON and CSV), for the manifest. */
  private readonly reports: string[] = [];

  private constructor(
    readonly dir: string,
    intent: RunRecord,
    private readonly ops: FileOps,
  ) {
    this.intent = intent;
    this.fds = { events: createFile(join(dir, RECORD_FILES.events)), journal: createFile(join(dir, RECORD_FILES.journal)), stderr: createFile(join(dir, RECORD_FILES.stderr)) };
  }

  /**
   * Creates the run folder and its intent; throws (nothing has run yet) when it cannot, and
   * then leaves no folder behind: a half-written intent (a 0-byte plan.json or record.json on
   * a full disk) is no record of anything.
   */
  static begin(root: string, intent: Omit<RecordIntent, 'plan'> & { plan: Omit<RecordIntent['plan'], 'bytesSha256'> }, planBytes: Uint8Array, scriptBytes: Uint8Array, ops: FileOps = realFileOps, acl: FolderAcl = hostFolderAcl): RecordWriter {
    ensureRecordsRoot(root, acl);
    const dir = createUniqueFolder(join(root, 'runs'), folderPrefix(intent.startedAt, intent.plan.name, intent.host), acl);
    try {
      const record = intentRecord({ ...intent, plan: { ...intent.plan, bytesSha256: sha256Hex(planBytes) } });
      writeNewFile(join(dir, RECORD_FILES.plan), planBytes, ops);
      writeNewFile(join(dir, RECORD_FILES.script), scriptBytes, ops);
      writeNewFile(join(dir, RECORD_FILES.record), `${JSON.stringify(record, null, 2)}\n`, ops);
      return new RecordWriter(dir, record, ops);
    } catch (error) {
      removeFolder(dir);
      throw error;
    }
  }

  get scriptPath(): string {
    return join(this.dir, RECORD_FILES.script);
  }

  private append(fd: number, text: string): void {
    if (this.failure || this.closed) return;
    const data = Buffer.from(text, 'utf8');
    const length = this.lengths.get(fd) ?? 0;
    try {
      this.ops.write(fd, data);
      this.lengths.set(fd, length + data.length);
    } catch (error) {
      this.failure = error as Error;
      // A full disk takes part of a line before it refuses the rest: a torn last journal line
      // would make undo refuse the whole journal, so the file is cut back to its whole lines.
      try {
        ftruncateSync(fd, length);
      } catch {
        // the write's own error is the one reported
      }
    }
  }

  /** A report written the moment its step reports, as the events are: a killed run keeps it. */
  private writeReport(name: string, text: string): void {
    if (this.failure || this.closed || this.reports.includes(name)) return;
    try {
      writeNewFile(join(this.dir, name), text, this.ops);
      this.reports.push(name);
    } catch (error) {
      this.failure = error as Error;
    }
  }

  /** Why this record can no longer be written (a full disk), naming its folder; undefined while it can. */
  get failureMessage(): string | undefined {
    return this.failure ? `the run record in ${this.dir} could not be written (${this.failure.message})` : undefined;
  }

  /** One protocol event as it arrived; a change with an undo goes to the journal too. */
  event(event: RunEvent, line: string): void {
    this.append(this.fds.events, `${line}\n`);
    if (event.event !== 'step') return;
    for (const file of reportFiles(event)) this.writeReport(file.name, file.text);
    if (event.status === 'changed' && event.undo !== undefined && event.undo !== null) this.append(this.fds.journal, `${JSON.stringify({ stepId: event.stepId, action: event.action, undo: event.undo })}\n`);
    if (event.status === 'rolledBack') this.append(this.fds.journal, `${JSON.stringify({ stepId: event.stepId, undone: true })}\n`);
  }

  /**
   * The final record (manifest included) in place of the intent. Returns why it could not be
   * written, if so; the intent then stays, marked incomplete, never a truncated file.
   */
  finalize(run: HostRun, endedAt: Date, stderr: string, interrupted?: string): string | undefined {
    this.append(this.fds.stderr, stderr);
    try {
      for (const fd of Object.values(this.fds)) fsyncSync(fd);
    } catch {
      // reported through the manifest or the replace below
    }
    this.close();
    // The failure that stopped the run is its interruption already: said once, not twice.
    if (this.failure) return interrupted === this.failureMessage ? undefined : `${this.failureMessage}; it stays marked incomplete`;
    try {
      const manifest = buildManifest(this.dir, run.steps.flatMap((s) => (s.backup ? [{ stepId: s.stepId, ...s.backup }] : [])), this.reports);
      replaceFile(join(this.dir, RECORD_FILES.record), `${JSON.stringify(finalRecord(this.intent, run, endedAt, manifest, interrupted), null, 2)}\n`, this.ops);
      return undefined;
    } catch (error) {
      return `the run record in ${this.dir} could not be finalized (${(error as Error).message}); it stays marked incomplete`;
    }
  }

  /** A record of a run that never started (another host's intent failed): closed and removed. */
  discard(): void {
    this.close();
    removeFolder(this.dir);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of Object.values(this.fds)) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

/** Removes a run folder this process created (exclusively, private): only ever one whose run never started. */
function removeFolder(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // the error that made the intent fail is the one to report
  }
}

/** The journal file's entries that still stand: changes minus those marked undone. */
export function parseJournal(text: string, where: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  const undone = new Set<string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${where}:${index + 1}: not a JSON line`);
    }
    const item = value as Record<string, unknown>;
    if (typeof item !== 'object' || item === null || typeof item.stepId !== 'string') throw new Error(`${where}:${index + 1}: not a journal entry`);
    if (item.undone === true) undone.add(item.stepId);
    else if (typeof item.action === 'string' && 'undo' in item) entries.push({ stepId: item.stepId, action: item.action, undo: item.undo });
    else throw new Error(`${where}:${index + 1}: not a journal entry`);
  }
  return entries.filter((entry) => !undone.has(entry.stepId));
}
