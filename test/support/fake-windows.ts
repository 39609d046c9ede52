/**
 * The programs the records store runs on Windows (src/run/records/windows-acl.ts), answering
 * as they do there, over real folders of the test's temporary directory: whoami prints the
 * token's CSV; icacls edits a folder's DACL as its documentation says (/inheritance:r drops
 * the inherited entries and protects the DACL, /grant:r replaces the SID's explicit entries,
 * /setowner sets the owner) and, for a missing folder, prints `<path>: The system cannot find
 * the file specified.` with its count line and a non-zero exit code; Windows PowerShell runs
 * the store's -EncodedCommand script, answering as its .NET calls would.
 *
 * A folder nobody gave a DACL has what one made in C:\ProgramData inherits there (the owner
 * is the token's default owner: Administrators for an elevated administrator, else the user).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { unquotePowerShell } from '../../src/render/quote.js';
import type { ProgramResult, RunProgram } from '../../src/run/records/windows-acl.js';

export interface FakeRule {
  allow: boolean;
  sid: string;
  rights: number;
  inheritOnly: boolean;
  inherited: boolean;
}

export interface FakeSecurity {
  owner: string;
  protected: boolean;
  rules: FakeRule[];
}

export const USER_SID = 'S-1-5-21-3623811015-3361044348-30300820-1001';
const FULL_CONTROL = 0x1f01ff;

export const WHOAMI_ELEVATED = [
  '"contoso\\rdsadmin","S-1-5-21-3623811015-3361044348-30300820-1001"',
  '',
  '"Everyone","Well-known group","S-1-1-0","Mandatory group, Enabled by default, Enabled group"',
  '"BUILTIN\\Administrators","Alias","S-1-5-32-544","Mandatory group, Enabled by default, Enabled group, Group owner"',
  '"BUILTIN\\Users","Alias","S-1-5-32-545","Mandatory group, Enabled by default, Enabled group"',
  '"NT AUTHORITY\\INTERACTIVE","Well-known group","S-1-5-4","Mandatory group, Enabled by default, Enabled group"',
  '"Mandatory Label\\High Mandatory Level","Label","S-1-16-12288",""',
  '',
].join('\r\n');

/** German Windows, an administrator's UAC-filtered token: Administrators deny-only, Medium. */
export const WHOAMI_FILTERED_DE = [
  '"desktop-7k2\\jörg","S-1-5-21-3623811015-3361044348-30300820-1001"',
  '',
  '"Jeder","Bekannte Gruppe","S-1-1-0","Verbindliche Gruppe, Standardmäßig aktiviert, Aktivierte Gruppe"',
  '"VORDEFINIERT\\Administratoren","Alias","S-1-5-32-544","Gruppe wird nur zum Verweigern verwendet"',
  '"VORDEFINIERT\\Benutzer","Alias","S-1-5-32-545","Verbindliche Gruppe, Standardmäßig aktiviert, Aktivierte Gruppe"',
  '"NT-AUTORITÄT\\INTERAKTIV","Bekannte Gruppe","S-1-5-4","Verbindliche Gruppe, Standardmäßig aktiviert, Aktivierte Gruppe"',
  '"Verbindliche Beschriftung\\Mittlere Verbindlichkeitsstufe","Bezeichnung","S-1-16-8192",""',
  '',
].join('\r\n');

/** What a folder made in C:\ProgramData inherits there. */
export function programDataInherited(owner: string): FakeSecurity {
  return {
    owner,
    protected: false,
    rules: [
      { allow: true, sid: 'S-1-5-18', rights: FULL_CONTROL, inheritOnly: false, inherited: true },
      { allow: true, sid: 'S-1-5-32-544', rights: FULL_CONTROL, inheritOnly: false, inherited: true },
      { allow: true, sid: 'S-1-3-0', rights: 0x10000000, inheritOnly: true, inherited: true },
      { allow: true, sid: 'S-1-5-32-545', rights: 0x1200a9, inheritOnly: false, inherited: true },
      { allow: true, sid: 'S-1-5-32-545', rights: 0x116, inheritOnly: false, inherited: true },
    ],
  };
}

export interface FakeCall {
  program: string;
  args: string[];
  /** For icacls: whether the folder was empty when it ran (nothing written before its DACL). */
  folderWasEmpty?: boolean;
}

const ok = (stdout: string): ProgramResult => ({ status: 0, stdout, stderr: '' });

export class FakeWindows {
  readonly calls: FakeCall[] = [];
  readonly security = new Map<string, FakeSecurity>();
  /** icacls answers this instead of doing its work. */
  icaclsAnswer: ProgramResult | undefined;

  constructor(
    private readonly whoami: string,
    private readonly elevated: boolean,
  ) {}

  securityOf(path: string): FakeSecurity {
    let security = this.security.get(path);
    if (!security) {
      security = programDataInherited(this.elevated ? 'S-1-5-32-544' : USER_SID);
      this.security.set(path, security);
    }
    return security;
  }

  readonly run: RunProgram = (file, args) => {
    const program = file.split('\\').pop()!.toLowerCase();
    const call: FakeCall = { program, args: [...args] };
    this.calls.push(call);
    if (program === 'whoami.exe') return ok(this.whoami);
    if (program === 'icacls.exe') {
      const path = args[0]!;
      call.folderWasEmpty = existsSync(path) && readdirSync(path).length === 0;
      return this.icacls(path, args.slice(1));
    }
    if (program === 'powershell.exe') return this.powershell(args);
    return { status: null, stdout: '', stderr: '', error: Object.assign(new Error(`spawnSync ${file} ENOENT`), { code: 'ENOENT' }) };
  };

  private icacls(path: string, options: string[]): ProgramResult {
    if (this.icaclsAnswer) return this.icaclsAnswer;
    if (!existsSync(path)) return { status: 2, stdout: `${path}: The system cannot find the file specified.\r\nSuccessfully processed 0 files; Failed processing 1 files\r\n`, stderr: '' };
    const security = this.securityOf(path);
    for (let i = 0; i < options.length; i++) {
      const option = options[i]!.toLowerCase();
      if (option === '/inheritance:r') {
        security.protected = true;
        security.rules = security.rules.filter((rule) => !rule.inherited);
      } else if (option === '/grant:r') {
        while (options[i + 1]?.startsWith('*')) {
          const [sid, perm] = options[++i]!.slice(1).split(':') as [string, string];
          if (perm !== '(OI)(CI)F') throw new Error(`the fake icacls knows only (OI)(CI)F, not ${perm}`);
          security.rules = [...security.rules.filter((rule) => rule.inherited || rule.sid !== sid), { allow: true, sid, rights: FULL_CONTROL, inheritOnly: false, inherited: false }];
        }
      } else if (option === '/setowner') {
        security.owner = options[++i]!.slice(1);
      } else {
        throw new Error(`the fake icacls does not know ${option}`);
      }
    }
    return ok(`processed file: ${path}\r\nSuccessfully processed 1 files; Failed processing 0 files\r\n`);
  }

  private powershell(args: readonly string[]): ProgramResult {
    const encoded = args[args.indexOf('-EncodedCommand') + 1]!;
    const script = Buffer.from(encoded, 'base64').toString('utf16le');
    const list = /^\$paths = @\((.*)\)$/m.exec(script)![1]!;
    const paths = [...list.matchAll(/'(?:[^']|'')*'/g)].map((m) => unquotePowerShell(m[0]));
    const lines: string[] = [];
    paths.forEach((path, i) => {
      if (!existsSync(path) || !statSync(path).isDirectory()) {
        lines.push(`error\t${i}\t${Buffer.from(`Could not find a part of the path '${path}'.`, 'utf8').toString('base64')}`);
        return;
      }
      const security = this.securityOf(path);
      lines.push(`folder\t${i}\t${security.owner}\t${security.protected ? 'True' : 'False'}`);
      for (const rule of security.rules) lines.push(`rule\t${i}\t${rule.allow ? 'Allow' : 'Deny'}\t${rule.sid}\t${rule.rights}\t${rule.inheritOnly ? 2 : 0}`);
    });
    return ok(lines.map((line) => `${line}\r\n`).join(''));
  }
}
