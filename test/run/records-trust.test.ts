/**
 * The issue "Run records and undo you can trust": each attack or fault tried on the simulated
 * host, as a test. Undo verifies the record before anything runs; records are written intent
 * first, privately, exclusively; printed host text is escaped.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { approvalToken, rdsplan, runEnv } from '../support/cli.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';
import { hostSections } from '../support/sim.js';
import { fakePowerShell } from '../support/fake-powershell.js';

const PLAN = example('reset-grace-period');

/** A real apply on a fresh simulated host: its record folder and state file. */
async function appliedRun(plan = PLAN) {
  const dir = tmp('rdsplan-trust-');
  const state = join(dir, 'host.json');
  const records = join(dir, 'records');
  const apply = await rdsplan(['apply', plan, '--approve', await approvalToken(plan), '--simulate', state, '--records', records]);
  expect(apply.code).toBe(0);
  return { dir, state, records, record: recordDirs(records)[0]! };
}

/** Both the old and the new CLI: undo, approved with the token --dry-run prints when there is one. */
async function undo(record: string, state: string, extra: string[] = []) {
  const dry = await rdsplan(['undo', record, '--dry-run', '--simulate', state, ...extra]);
  const token = /^approval token: (\S+)$/m.exec(dry.stdout)?.[1];
  return rdsplan(['undo', record, '--simulate', state, ...(token ? ['--approve', token] : []), ...extra]);
}

const editJson = (file: string, edit: (value: any) => void) => {
  const value = JSON.parse(readFileSync(file, 'utf8'));
  edit(value);
  writeFileSync(file, JSON.stringify(value));
};

describe('undo verifies the record before anything runs', () => {
  test('a journal edited to hold changes the plan never made is refused (exit 4), the host untouched', async () => {
    const { state, record } = await appliedRun();
    const forged = [
      { stepId: 'grace.own', action: 'registry.takeOwnership', undo: { Path: 'HKLM\\SYSTEM\\CurrentControlSet\\Services', View: 'Default', Sddl: 'O:BAG:SYD:(A;;KA;;;WD)' } },
      { stepId: 'grace.delete', action: 'registry.setValue', undo: { Path: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService', View: 'Default', Name: 'ImagePath', KeyExisted: true, Previous: { Type: 'ExpandString', Data: 'C:\\evil.exe' } } },
      { stepId: 'grace.delete', action: 'service.setStartMode', undo: { Name: 'TermServLicensing', StartMode: 'Disabled' } },
    ];
    editJson(join(record, 'record.json'), (r) => (r.journal = forged));
    writeFileSync(join(record, 'journal.jsonl'), forged.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const before = hostSections(state);
    const r = await undo(record, state);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^rdsplan: refused: .*(journal\.jsonl has sha256|the journal names changes the plan did not make)/);
    expect(hostSections(state)).toEqual(before);
  });

  test('a journal entry for a key the plan did not name is refused even with the manifest recomputed', async () => {
    const { state, record } = await appliedRun();
    const r0 = JSON.parse(readFileSync(join(record, 'record.json'), 'utf8'));
    if (r0.formatVersion !== 2) throw new Error('a format 1 record: undo trusts its journal as it is');
    const lines = readFileSync(join(record, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const own = lines.find((l) => l.action === 'registry.takeOwnership');
    own.undo.Path = 'HKLM\\SYSTEM\\CurrentControlSet\\Services';
    const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    writeFileSync(join(record, 'journal.jsonl'), text);
    const { createHash } = await import('node:crypto');
    editJson(join(record, 'record.json'), (r) => (r.manifest.files['journal.jsonl'] = createHash('sha256').update(text).digest('hex')));
    const before = hostSections(state);
    const r = await undo(record, state);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('step grace.own (registry.takeOwnership): key "HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Services" is not the step');
    expect(hostSections(state)).toEqual(before);
  });

  test('record.host with ../.. is refused before any path is made of it', async () => {
    const { dir, state, record } = await appliedRun();
    editJson(join(record, 'record.json'), (r) => (r.host = '../..'));
    const r = await undo(record, state);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('host "../.." is not a target of the run\'s plan');
    expect(existsSync(join(dir, 'journal.jsonl'))).toBe(false);
  });

  test("the record's simulated.stateFile never chooses the file written: undo of a simulated run needs --simulate", async () => {
    const { dir, record } = await appliedRun();
    const victim = join(dir, 'victim.json');
    editJson(join(record, 'record.json'), (r) => (r.simulated = { stateFile: victim }));
    const r = await rdsplan(['undo', record]);
    expect(r.code).toBe(4);
    expect(existsSync(victim)).toBe(false);
  });

  test('a backup path outside the run\'s backup folder is refused, never hashed', async () => {
    const { dir, state, record } = await appliedRun();
    const outside = join(dir, 'elsewhere.reg');
    writeFileSync(outside, 'x');
    editJson(join(record, 'record.json'), (r) => (r.backups[0].file = outside));
    const r = await undo(record, state);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`backup ${JSON.stringify(outside)} of step`);
  });

  test('a run undone once is refused the second time, naming the undo run', async () => {
    const { state, record } = await appliedRun();
    expect((await undo(record, state)).code).toBe(0);
    const again = await undo(record, state);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/was undone already by .*runs[/\\]\d{8}T\d{9}Z-reset-grace-period-rdsh01-localhost/);
  });

  test('a later apply that changed the host: refused unless --force --reason', async () => {
    const { state, records, record } = await appliedRun();
    // The grace period runs low again (a reset is due) and the plan is applied again: the first run's 'after' is stale.
    editJson(state, (host) => (host.terminalServices = { graceDays: 12, timebombGraceDays: 12 }));
    const before = hostSections(state);
    expect((await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', state, '--records', records])).code).toBe(0);
    // The later apply really changed the host.
    expect(hostSections(state)).not.toEqual(before);
    const stale = await undo(record, state);
    expect(stale.code).toBe(4);
    expect(stale.stderr).toContain('a later run changed localhost since');
  });

  test('a host changed by hand since the run: refused (exit 4) naming the step, shown by --dry-run, undone only with --force --reason, which the undo record keeps', async () => {
    const plan = example('disable-licensing-service');
    const { state, records, record } = await appliedRun(plan);
    // Somebody sets the licensing service back to Manual by hand after the run disabled it (sc config writes the Start value).
    editJson(state, (host) => {
      host.services.TermServLicensing.startMode = 'Manual';
      host.registry['HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermServLicensing'].values.find((v: { name: string }) => v.name === 'Start').data = 3;
    });
    const before = hostSections(state);
    const dry = await rdsplan(['undo', record, '--dry-run', '--simulate', state]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('lic03.contoso.com changed since the run:\n  drift: step licensing.stop: ');
    expect(dry.stdout).toContain('\n  drift: step licensing.start-mode: now {"StartMode":"Manual","Status":"Stopped"}, the run left {"StartMode":"Disabled","Status":"Stopped"}');
    expect(dry.stdout).toContain('undo would be refused');
    const token = /^approval token: (\S+)$/m.exec(dry.stdout)![1]!;
    const refused = await rdsplan(['undo', record, '--simulate', state, '--approve', token]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^rdsplan: refused: .*lic03\.contoso\.com changed since run .* left it, and undoing would overwrite that: step licensing\.stop: now .*; nothing was run\n$/);
    expect(hostSections(state)).toEqual(before);
    expect(recordDirs(records)).toHaveLength(1);
    const forced = await rdsplan(['undo', record, '--simulate', state, '--approve', token, '--force', '--reason', 'CHG0012399: back out the retirement']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(join(state), 'utf8')).services.TermServLicensing).toMatchObject({ startMode: 'Automatic', status: 'Running' });
    const undoRecord = JSON.parse(readFileSync(join(recordDirs(records).find((d) => d !== record)!, 'record.json'), 'utf8'));
    expect(undoRecord.forced).toEqual({ reason: 'CHG0012399: back out the retirement', overrode: [expect.stringMatching(/^drift: step licensing\.stop: /), expect.stringMatching(/^drift: step licensing\.start-mode: /)] });
  });

  test('a host nobody touched since a grace-period reset (Windows wrote a fresh timebomb at the restart) is as the run left it', async () => {
    const { state, record } = await appliedRun();
    const dry = await rdsplan(['undo', record, '--dry-run', '--simulate', state]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('localhost is as the run left it (3 of 3 step(s) compared)');
  });

  test('an undo without its approval token is refused on a pipe (exit 4), nothing run', async () => {
    const { state, record } = await appliedRun();
    const before = hostSections(state);
    const r = await rdsplan(['undo', record, '--simulate', state]);
    expect(r.code).toBe(4);
    expect(hostSections(state)).toEqual(before);
  });
});

describe('records are written intent first, privately, exclusively', () => {
  test('under umask 000 the record folder is 0700 and its files 0600', async () => {
    const old = process.umask(0);
    try {
      const { records, record } = await appliedRun();
      expect(statSync(join(records, 'runs')).mode & 0o777).toBe(0o700);
      expect(statSync(record).mode & 0o777).toBe(0o700);
      for (const name of readdirSync(record)) expect({ name, mode: statSync(join(record, name)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
    } finally {
      process.umask(old);
    }
  });

  test('a symlinked runs/ is refused (exit 1, nothing run) and the file a planted link names is untouched', async () => {
    const dir = tmp('rdsplan-trust-');
    const records = join(dir, 'records');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(records);
    mkdirSync(elsewhere);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(elsewhere, join(records, 'runs'));
    const state = join(dir, 'host.json');
    const r = await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', state, '--records', records]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rdsplan: cannot write the run record under .*runs is a symbolic link.*nothing was run\n$/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(existsSync(state)).toBe(false);
  });

  test('a runs/ folder writable by others is refused', async () => {
    const dir = tmp('rdsplan-trust-');
    const records = join(dir, 'records');
    mkdirSync(join(records, 'runs'), { recursive: true });
    chmodSync(join(records, 'runs'), 0o777);
    const r = await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', join(dir, 'h.json'), '--records', records]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is writable by others');
  });

  test('the plan file moved while PowerShell runs: the record holds the bytes validated, with a summary', async () => {
    const dir = tmp('rdsplan-trust-');
    const plan = join(dir, 'plan.json');
    const original = readFileSync(PLAN);
    writeFileSync(plan, original);
    const ps = fakePowerShell(dir, 'pwsh', [
      `mv '${plan}' '${plan}.moved'`,
      `printf '%s\\n' '{"apiVersion":"rdsplan/v1","name":"other","targets":["localhost"],"steps":[]}' > '${plan}'`,
      `echo '@@rdsplan {"event":"start","runId":"'$run'","host":"'$host'","time":"t","plan":"p","planSha256":"x","toolVersion":"0.1.0","mode":"apply","user":"u"}'`,
      `echo '@@rdsplan {"event":"summary","runId":"'$run'","host":"'$host'","time":"t","status":"succeeded","counts":{},"durationMs":1}'`,
    ]);
    const records = join(dir, 'records');
    const r = await rdsplan(['apply', plan, '--approve', await approvalToken(PLAN), '--simulate', join(dir, 'h.json'), '--records', records], { env: runEnv({ RDSPLAN_POWERSHELL: ps }) });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const [record] = recordDirs(records);
    expect(readFileSync(join(record!, 'plan.json'))).toEqual(original);
  });

  test('the script that runs is the record\'s script.ps1 (no temporary copy to outlive a kill)', async () => {
    const dir = tmp('rdsplan-trust-');
    const ps = fakePowerShell(dir, 'pwsh', [
      'for a in "$@"; do :; done',
      `echo '@@rdsplan {"event":"summary","runId":"'$run'","host":"'$host'","time":"t","status":"succeeded","counts":{},"durationMs":1}'`,
    ]);
    // The fake records which file it was given with -File.
    writeFileSync(ps, readFileSync(ps, 'utf8').replace("run=''; host=''", `run=''; host=''; echo "$7" > '${join(dir, 'ran')}'`));
    const records = join(dir, 'records');
    const r = await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', join(dir, 'h.json'), '--records', records], { env: runEnv({ RDSPLAN_POWERSHELL: ps }) });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'ran'), 'utf8').trim()).toBe(join(recordDirs(records)[0]!, 'script.ps1'));
  });
});

describe('host and record text is printed with control characters escaped', () => {
  test('show-run and runs escape ESC and newlines from a record', async () => {
    const { records, record } = await appliedRun();
    editJson(join(record, 'record.json'), (r) => {
      r.steps[0].message = 'ok\u001b]0;pwned\u0007\u001b[2J\nrecord: /fake';
      r.plan.name = 'p\u001b[31mred';
    });
    const show = await rdsplan(['show-run', record]);
    expect(show.stdout).not.toMatch(/[\u001b\u0007]/);
    expect(show.stdout).toContain('\\x1b]0;pwned\\x07');
    expect(show.stdout).not.toMatch(/^record: \/fake/m);
    const runs = await rdsplan(['runs', '--records', records]);
    expect(runs.stdout).not.toMatch(/\u001b/);
    expect(runs.stdout).toContain('p\\x1b[31mred');
  });

  test('live step lines escape a host message', async () => {
    const dir = tmp('rdsplan-trust-');
    const ps = fakePowerShell(dir, 'pwsh', [
      `echo '@@rdsplan {"event":"start","runId":"'$run'","host":"'$host'","time":"t","plan":"p","planSha256":"x","toolVersion":"0.1.0","mode":"check","user":"u"}'`,
      // printf, not echo: dash's echo would turn the JSON escape \\n into a real newline.
      `printf '%s\\n' '@@rdsplan {"event":"step","runId":"'$run'","host":"'$host'","time":"t","stepId":"grace.export","action":"registry.export","status":"unchanged","message":"a\\u0007b\\nc","durationMs":1}'`,
      `echo '@@rdsplan {"event":"summary","runId":"'$run'","host":"'$host'","time":"t","status":"succeeded","counts":{},"durationMs":1}'`,
    ]);
    const r = await rdsplan(['check', PLAN, '--simulate', join(dir, 'h.json'), '--records', join(dir, 'records')], { env: runEnv({ RDSPLAN_POWERSHELL: ps }) });
    expect(r.stdout).toContain('a\\x07b\\x0ac');
    expect(r.stdout).not.toMatch(/\u0007/);
  });
});

describe('apply --expect-state needs every saved host and step to match', () => {
  test('a saved step the fresh check does not report is a change (exit 4)', async () => {
    const dir = tmp('rdsplan-trust-');
    const state = join(dir, 'host.json');
    const common = ['--simulate', state, '--records', join(dir, 'records')];
    const check = await rdsplan(['check', PLAN, ...common, '--format', 'json']);
    const saved = JSON.parse(check.stdout);
    saved.hosts[0].steps.push({ stepId: 'gone', status: 'wouldChange', before: 1 });
    writeFileSync(join(dir, 'check.json'), JSON.stringify(saved));
    const r = await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), '--expect-state', join(dir, 'check.json'), ...common]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('step gone was wouldChange 1, now absent');
    expect(lstatSync(state).isFile()).toBe(true);
  });
});
