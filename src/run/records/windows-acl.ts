import { spawnSync } from 'node:child_process';
import { win32 } from 'node:path';
import { quotePowerShell } from '../../render/quote.js';

/**
 * The Windows side of the records store: the protected DACL a records folder gets when
 * rdsplan creates it, and the check of a folder found on disk. Decided here, from the text
 * the programs print; running them is the one injected call (RunProgram), so the decisions
 * run in the tests on Linux against a fake that answers as the programs do.
 *
 * - Who runs rdsplan: `whoami /user /groups /fo csv /nh`, read for SIDs only (account and
 *   group names are localized). Elevated = Administrators among the groups and a High (or
 *   System) integrity label; a UAC-filtered token lists Administrators too, deny-only.
 * - Protecting a new folder: `icacls <folder> /inheritance:r /grant:r` SYSTEM and
 *   Administrators full control, inherited by what is created inside, plus the user when not
 *   elevated (an elevated token reaches the folder through Administrators). Elevated, the
 *   owner is set to Administrators as well: the records root defaults to the backup folder,
 *   which the script on the host accepts only as `O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)`
 *   (ps-templates/runtime/Host.ps1), exactly what New-RdsProtectedDirectory gives it.
 * - Checking a folder: its owner, whether its DACL is protected and its allow rules, as SIDs
 *   and access masks, read through .NET in Windows PowerShell. icacls cannot be used for
 *   that: it prints localized account names, neither the owner nor the protection.
 *   Trusted: owned by the user, SYSTEM or Administrators, protected, and no allow rule lets
 *   anyone else change the folder or what is in it (the rule of Host.ps1, plus the user).
 *
 * icacls's exit codes are not documented (MicrosoftDocs/windowsserverdocs#3303): a non-zero
 * one is a failure, but success is what the check reads back afterwards, never exit 0.
 */

export interface ProgramResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The program could not be started (or was killed). */
  error?: Error;
}

export type RunProgram = (file: string, args: readonly string[]) => ProgramResult;

export interface ProgramCall {
  file: string;
  args: string[];
}

export const SYSTEM_SID = 'S-1-5-18';
export const ADMINISTRATORS_SID = 'S-1-5-32-544';
const CREATOR_OWNER_SID = 'S-1-3-0';
const HIGH_INTEGRITY_RID = 12288;
// Rights that change a folder or what is in it (as RdsFolderWriteMask in runtime/Host.ps1):
// add file or subfolder, write EA and attributes, delete child, delete, change permissions or
// owner, generic write or all.
const FOLDER_WRITE_MASK = 0x500d0156;
const INHERIT_ONLY = 2;

const WELL_KNOWN_NAMES: Record<string, string> = {
  'S-1-1-0': 'Everyone',
  'S-1-5-4': 'INTERACTIVE',
  'S-1-5-11': 'Authenticated Users',
  'S-1-5-32-545': 'BUILTIN\\Users',
  [SYSTEM_SID]: 'SYSTEM',
  [ADMINISTRATORS_SID]: 'BUILTIN\\Administrators',
};

/** The account rdsplan runs as. */
export interface WindowsIdentity {
  sid: string;
  elevated: boolean;
}

/** A folder's security as the check reads it: SIDs in full, access masks as numbers. */
export interface FolderSecurity {
  owner: string;
  protected: boolean;
  rules: { allow: boolean; sid: string; rights: number; inheritOnly: boolean }[];
}

export type SecurityAnswer = FolderSecurity | { error: string };

/** A program of the Windows folder, by full path: Windows looks in the current folder before PATH. */
export function systemProgram(relative: string, env: NodeJS.ProcessEnv): string {
  return win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', relative);
}

export function whoamiCall(env: NodeJS.ProcessEnv): ProgramCall {
  return { file: systemProgram('whoami.exe', env), args: ['/user', '/groups', '/fo', 'csv', '/nh'] };
}

const SID_FIELD = /"(S-1-\d+(?:-\d+)+)"/g;

/** The user's SID (the first line) and whether the token is elevated, from whoami's CSV. */
export function parseWhoami(stdout: string): WindowsIdentity {
  const sids = [...stdout.matchAll(SID_FIELD)].map((m) => m[1]!);
  const sid = sids[0];
  if (sid === undefined) throw new Error(`whoami printed no SID: ${oneLine(stdout) || '(nothing)'}`);
  const groups = sids.slice(1);
  const integrity = Math.max(-1, ...groups.filter((g) => g.startsWith('S-1-16-')).map((g) => Number(g.slice('S-1-16-'.length))));
  return { sid, elevated: groups.includes(ADMINISTRATORS_SID) && integrity >= HIGH_INTEGRITY_RID };
}

/** The icacls calls that give a folder just created its protected DACL (and owner). */
export function protectCalls(path: string, identity: WindowsIdentity, env: NodeJS.ProcessEnv): ProgramCall[] {
  const icacls = systemProgram('icacls.exe', env);
  const sids = identity.elevated ? [SYSTEM_SID, ADMINISTRATORS_SID] : [...new Set([SYSTEM_SID, ADMINISTRATORS_SID, identity.sid])];
  const grant = { file: icacls, args: [path, '/inheritance:r', '/grant:r', ...sids.map((sid) => `*${sid}:(OI)(CI)F`)] };
  return identity.elevated ? [grant, { file: icacls, args: [path, '/setowner', `*${ADMINISTRATORS_SID}`] }] : [grant];
}

function securityScript(paths: readonly string[]): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    '$sidType = [System.Security.Principal.SecurityIdentifier]',
    "$sections = [System.Security.AccessControl.AccessControlSections]'Owner, Access'",
    `$paths = @(${paths.map(quotePowerShell).join(', ')})`,
    'for ($i = 0; $i -lt $paths.Count; $i++) {',
    '    try {',
    '        $acl = [System.Security.AccessControl.DirectorySecurity]::new($paths[$i], $sections)',
    "        [Console]::Out.WriteLine((@('folder', $i, [string]$acl.GetOwner($sidType), $acl.AreAccessRulesProtected) -join \"`t\"))",
    '        foreach ($rule in $acl.GetAccessRules($true, $true, $sidType)) {',
    '            # FileSystemRights is an Int32 enumeration: GENERIC_READ (0x80000000) reads as negative.',
    '            $rights = [long][int]$rule.FileSystemRights',
    '            if ($rights -lt 0) { $rights = $rights + 4294967296 }',
    "            [Console]::Out.WriteLine((@('rule', $i, [string]$rule.AccessControlType, $rule.IdentityReference.Value, $rights, [int]$rule.PropagationFlags) -join \"`t\"))",
    '        }',
    '    }',
    '    catch {',
    '        # Base64: a localized message must not depend on the console code page.',
    "        [Console]::Out.WriteLine((@('error', $i, [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes([string]$_.Exception.Message))) -join \"`t\"))",
    '    }',
    '}',
  ].join('\n');
}

// Windows limits a command line to 32767 characters; -EncodedCommand takes 8/3 of the script's.
const PATHS_PER_CALL_CHARS = 8000;

/**
 * Windows PowerShell calls that read the folders' security (several folders per call, as few
 * calls as the command line allows). -EncodedCommand: no argument quoting to go wrong; the
 * paths enter the script as literals only through quotePowerShell.
 */
export function securityCalls(paths: readonly string[], env: NodeJS.ProcessEnv): { call: ProgramCall; paths: string[] }[] {
  const batches: string[][] = [];
  let size = Infinity;
  for (const path of paths) {
    const length = quotePowerShell(path).length + 2;
    if (size + length > PATHS_PER_CALL_CHARS) {
      batches.push([]);
      size = 0;
    }
    batches[batches.length - 1]!.push(path);
    size += length;
  }
  const powershell = systemProgram('WindowsPowerShell\\v1.0\\powershell.exe', env);
  return batches.map((batch) => ({
    call: { file: powershell, args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-EncodedCommand', Buffer.from(securityScript(batch), 'utf16le').toString('base64')] },
    paths: batch,
  }));
}

/** The answer for each of `count` folders from the security script's lines. */
export function parseSecurity(stdout: string, count: number): SecurityAnswer[] {
  const answers: (SecurityAnswer | undefined)[] = new Array(count).fill(undefined);
  for (const line of stdout.split(/\r?\n/)) {
    const [kind, indexText, ...fields] = line.split('\t');
    const index = Number(indexText);
    if (!Number.isInteger(index) || index < 0 || index >= count) continue;
    const answer = answers[index];
    if (kind === 'folder' && fields.length === 2) answers[index] = { owner: fields[0]!, protected: fields[1] === 'True', rules: [] };
    else if (kind === 'error' && fields.length === 1) answers[index] = { error: Buffer.from(fields[0]!, 'base64').toString('utf8').trim() };
    else if (kind === 'rule' && fields.length === 4 && answer && 'rules' in answer) {
      answer.rules.push({ allow: fields[0] === 'Allow', sid: fields[1]!, rights: Number(fields[2]), inheritOnly: (Number(fields[3]) & INHERIT_ONLY) !== 0 });
    }
  }
  return answers.map((answer) => answer ?? { error: 'Windows PowerShell gave no answer for it' });
}

/** 'S-1-5-32-545 (BUILTIN\Users)': a SID with its well-known name when it has one. */
export function sidLabel(sid: string): string {
  const name = WELL_KNOWN_NAMES[sid];
  return name ? `${sid} (${name})` : sid;
}

/** Why a folder's security does not keep it to the user, SYSTEM and Administrators; null when it does. */
export function folderTrustProblem(security: FolderSecurity, identity: WindowsIdentity): string | null {
  const trusted = new Set([identity.sid, SYSTEM_SID, ADMINISTRATORS_SID]);
  if (!trusted.has(security.owner)) return `is owned by ${security.owner ? sidLabel(security.owner) : 'nobody'}, not by this user (${identity.sid}), SYSTEM or Administrators`;
  if (!security.protected) return 'inherits permissions from the folder above it (its DACL is not protected)';
  for (const rule of security.rules) {
    if (!rule.allow || trusted.has(rule.sid)) continue;
    // Only those who may create there become the owners CREATOR OWNER stands for.
    if (rule.sid === CREATOR_OWNER_SID && rule.inheritOnly) continue;
    if ((rule.rights & FOLDER_WRITE_MASK) !== 0) {
      return `lets ${sidLabel(rule.sid)} write to ${rule.inheritOnly ? 'what is created in it' : 'it'} (access mask 0x${(rule.rights >>> 0).toString(16)})`;
    }
  }
  return null;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * What went wrong with a program, in its words: icacls says `<path>: <message>` before its
 * (localized) count of files processed; other output is given whole, on one line.
 */
export function programFailure(call: ProgramCall, result: ProgramResult): string | null {
  const name = win32.basename(call.file);
  if (result.error) return `${name} could not be run: ${result.error.message}`;
  if (result.status === 0) return null;
  const output = `${result.stderr}\n${result.stdout}`;
  const target = call.args[0] ?? '';
  const said = output
    .split(/\r?\n/)
    .filter((line) => target !== '' && line.startsWith(`${target}: `))
    .map((line) => line.slice(target.length + 2).trim());
  const message = said.length > 0 ? said.join(' ') : oneLine(output);
  return `${name} failed (exit code ${String(result.status)})${message ? `: ${message}` : ''}`;
}

/** Runs a program without a shell and without a window; its output as text. */
export const runProgram: RunProgram = (file, args) => {
  const result = spawnSync(file, args, { encoding: 'utf8', windowsHide: true, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', ...(result.error ? { error: result.error } : {}) };
};

/**
 * The records folders' DACLs on Windows, for one process: who runs rdsplan is asked once,
 * and a folder found trusted is not read again. That is safe because a trusted folder can be
 * changed only by those it trusts.
 */
export class WindowsFolderAcl {
  private identity: WindowsIdentity | undefined;
  private readonly trusted = new Set<string>();

  constructor(
    private readonly run: RunProgram,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private whoRuns(): WindowsIdentity {
    if (this.identity) return this.identity;
    const call = whoamiCall(this.env);
    const result = this.run(call.file, call.args);
    const failure = programFailure(call, result);
    if (failure) throw new Error(`cannot tell which account runs rdsplan: ${failure}`);
    this.identity = parseWhoami(result.stdout);
    return this.identity;
  }

  /** Gives a folder just created its protected DACL; returns why it could not, null when done. */
  protect(path: string): string | null {
    let identity: WindowsIdentity;
    try {
      identity = this.whoRuns();
    } catch (error) {
      return (error as Error).message;
    }
    for (const call of protectCalls(path, identity, this.env)) {
      const failure = programFailure(call, this.run(call.file, call.args));
      if (failure) return failure;
    }
    return null;
  }

  /** Reads the folders not known to be trusted, in as few calls as possible; returns why each cannot be trusted (null: it can). */
  check(paths: readonly string[]): Map<string, string | null> {
    const problems = new Map<string, string | null>();
    const unknown = [...new Set(paths)].filter((path) => !this.trusted.has(path));
    for (const path of paths) if (this.trusted.has(path)) problems.set(path, null);
    if (unknown.length === 0) return problems;
    let identity: WindowsIdentity;
    try {
      identity = this.whoRuns();
    } catch (error) {
      for (const path of unknown) problems.set(path, (error as Error).message);
      return problems;
    }
    for (const { call, paths: batch } of securityCalls(unknown, this.env)) {
      const result = this.run(call.file, call.args);
      const failure = programFailure(call, result);
      const answers = failure ? batch.map(() => ({ error: failure })) : parseSecurity(result.stdout, batch.length);
      batch.forEach((path, i) => {
        const answer = answers[i]!;
        const problem = 'error' in answer ? `cannot be checked: ${answer.error}` : folderTrustProblem(answer, identity);
        if (problem === null) this.trusted.add(path);
        problems.set(path, problem);
      });
    }
    return problems;
  }
}

/** The folder ACL of a platform: Windows only (on POSIX, modes and the owner's uid do it). */
export function folderAclFor(platform: NodeJS.Platform, run: RunProgram, env: NodeJS.ProcessEnv): WindowsFolderAcl | null {
  return platform === 'win32' ? new WindowsFolderAcl(run, env) : null;
}
