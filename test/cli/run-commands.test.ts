/**
 * check → apply → check → runs → show-run → undo for every example plan, through the CLI
 * in-process against the simulated host (one state file per target), plus the refusals:
 * a wrong or absent approval token, a host that changed since the reviewed check, tampered
 * backups, and a missing PowerShell.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { approvalToken, rdsplan, runCli, runEnv } from '../support/cli.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example, EXAMPLES, readPlan, targetNames } from '../support/plans.js';
import { hostSections } from '../support/sim.js';

const EXAMPLE_NAMES = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => basename(f, '.json'))
  .sort();

/** Examples for the license server: their hosts start as the bundled simulated license server. */
const LICENSE_SERVER = new Set(['cal-report', 'transfer-device-cal']);
/** Examples that only read: nothing is pending, and the apply changes nothing. */
const READ_ONLY = new Set(['cal-report', 'diagnose-fleet']);

/** A simulated fleet for a plan: one state file for one target, else a folder of <host>.json. */
function simulatedHosts(dir: string, plan: string, name: string) {
  const targets = targetNames(readPlan(plan));
  const folder = join(dir, 'hosts');
  mkdirSync(folder, { recursive: true });
  const simulate = targets.length === 1 ? join(folder, 'host.json') : folder;
  const stateFiles = targets.length === 1 ? [simulate] : targets.map((t) => join(folder, `${t}.json`));
  if (LICENSE_SERVER.has(name)) for (const file of stateFiles) copyFileSync(join(EXAMPLES, 'states', 'license-server.json'), file);
  return { targets, simulate, stateFiles, records: join(dir, 'records') };
}

/** Plans whose apply restarts TermService: the service re-reads the grace period, and undo does not restart it. */
const RESTARTS_TERMSERVICE = new Set(['reset-grace-period']);

describe('every example: check, apply, check, runs, show-run, undo', () => {
  test('the examples are the five seed scenarios, two on the license server and a diagnosis', () => {
    expect(EXAMPLE_NAMES).toHaveLength(8);
    expect(EXAMPLE_NAMES.filter((name) => LICENSE_SERVER.has(name))).toEqual([...LICENSE_SERVER].sort());
  });

  test.each(EXAMPLE_NAMES)('%s', async (name) => {
    const plan = example(name);
    const dir = tmp();
    const { targets, simulate, stateFiles, records } = simulatedHosts(dir, plan, name);
    const readOnly = READ_ONLY.has(name);
    const common = ['--simulate', simulate, '--records', records];

    // check before: changes pending (3), per step wouldChange with before -> after, per host.
    const check1 = await rdsplan(['check', plan, ...common, '--format', 'json']);
    const pendingExit = readOnly ? 0 : 3;
    expect({ code: check1.code, stderr: check1.stderr }).toEqual({ code: pendingExit, stderr: '' });
    const saved = JSON.parse(check1.stdout);
    expect(saved).toMatchObject({ formatVersion: 1, plan: { name: readPlan(plan).name }, approvalToken: await approvalToken(plan), exitCode: pendingExit });
    expect(saved.hosts.map((h: { host: string }) => h.host).sort()).toEqual([...targets].sort());
    for (const host of saved.hosts) {
      expect(host.exitCode).toBe(pendingExit);
      const pending = host.steps.filter((s: { status: string }) => s.status === 'wouldChange');
      expect(pending.length > 0).toBe(!readOnly);
      for (const step of pending) expect(step).toHaveProperty('after');
    }
    // A check writes nothing but the simulated host itself (the records folder stays empty).
    expect(recordDirs(records)).toEqual([]);
    const before = stateFiles.map(hostSections);

    // apply with the token review printed: exit 0, one record per host, summary table.
    const token = await approvalToken(plan);
    const apply = await rdsplan(['apply', plan, '--approve', token, ...common]);
    expect({ code: apply.code, stderr: apply.stderr }).toEqual({ code: 0, stderr: '' });
    expect(apply.stdout).toMatch(/^host\s+status\s+changed\s+unchanged\s+pending\s+failed\s+rolledBack\s+exit\s+message$/m);
    for (const t of targets) expect(apply.stdout).toMatch(new RegExp(`^${t.replace(/\./g, '\\.')}\\s+succeeded\\s+${readOnly ? '0' : '[1-9]'}`, 'm'));
    const dirs = recordDirs(records);
    expect(dirs).toHaveLength(targets.length);
    for (const d of dirs) expect(apply.stdout).toContain(`record: ${d}\n`);
    const applied = stateFiles.map(hostSections);
    if (readOnly) expect(applied).toEqual(before);
    else expect(applied).not.toEqual(before);

    // check after: in the desired state (0), every step unchanged or skipped or a backup.
    const check2 = await rdsplan(['check', plan, ...common]);
    expect({ code: check2.code, stderr: check2.stderr, stdout: check2.stdout }).toMatchObject({ code: 0, stderr: '' });
    expect(check2.stdout).toMatch(/ unchanged /);

    // runs: one line per record; json has the fields.
    const runs = await runCli(['runs', '--records', records]);
    expect(runs.code).toBe(0);
    expect(runs.stdout.trim().split('\n')).toHaveLength(targets.length);
    for (const d of dirs) expect(runs.stdout).toContain(d);
    const runsJson = JSON.parse((await runCli(['runs', '--records', records, '--format', 'json'])).stdout);
    expect(runsJson).toHaveLength(targets.length);
    for (const row of runsJson) expect(row).toMatchObject({ plan: readPlan(plan).name, mode: 'apply', status: 'succeeded', exitCode: 0 });

    for (const d of dirs) {
      const record = JSON.parse(readFileSync(join(d, 'record.json'), 'utf8'));
      // show-run in the three formats.
      const text = await runCli(['show-run', d]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`Run ${record.runId}: ${record.plan.name} on ${record.host} (apply)`);
      expect(text.stdout).toContain(record.script.approvalToken);
      for (const step of record.steps) expect(text.stdout).toContain(step.stepId);
      const md = await runCli(['show-run', d, '--format', 'markdown']);
      expect(md.code).toBe(0);
      expect(md.stdout).toMatch(/^# Run /);
      expect(md.stdout).toContain('| step | action | status | before | after | message |');
      const json = await runCli(['show-run', d, '--format', 'json']);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual(record);

      const stateFile = stateFiles[targets.findIndex((t) => t === record.host)]!;
      const hostBefore = hostSections(stateFile);

      // undo --dry-run: reviews the restore, newest change first, and changes nothing (it reads the host with -WhatIf).
      const dry = await rdsplan(['undo', d, '--dry-run', '--simulate', stateFile]);
      expect(dry.code).toBe(0);
      if (record.journal.length === 0) {
        expect(dry.stdout).toContain('left nothing to undo');
        continue;
      }
      expect(dry.stdout).toContain(`Undo of run ${record.runId} of plan ${record.plan.name} on ${record.host}, newest change first:`);
      const listed = [...dry.stdout.matchAll(/^ {2}(\S+) \(/gm)].map((m) => m[1]);
      expect(listed).toEqual(record.journal.map((e: { stepId: string }) => e.stepId).reverse());
      expect(dry.stdout).toContain(`${record.host} is as the run left it`);
      expect(hostSections(stateFile)).toEqual(hostBefore);
      const stateBytes = readFileSync(stateFile);
      // The undo has its own approval token, printed by --dry-run; without it nothing runs.
      const undoToken = /^approval token: (sha256:[0-9a-f]{64})$/m.exec(dry.stdout)?.[1];
      expect(undoToken).toBeDefined();
      const unapproved = await rdsplan(['undo', d, '--simulate', stateFile]);
      expect(unapproved.code).toBe(4);
      expect(unapproved.stderr).toMatch(/^rdsplan: refused: undo needs --approve <token> when not run on a terminal; to get one, run rdsplan undo .* --dry-run/);
      expect(readFileSync(stateFile)).toEqual(stateBytes);

      // undo refused while a backup differs from what the run recorded; the host untouched.
      if (record.backups.length > 0) {
        const file = record.backups[0].file as string;
        const original = readFileSync(file);
        writeFileSync(file, Buffer.concat([original, Buffer.from([0x20])]));
        const refused = await rdsplan(['undo', d, '--simulate', stateFile, '--approve', undoToken!]);
        expect(refused.code).toBe(4);
        expect(refused.stderr).toMatch(/refused: .*the run's backups changed since it wrote them: .*has sha256 [0-9a-f]{64}, the run recorded/);
        expect(refused.stderr.trim().split('\n')).toHaveLength(1);
        expect(readFileSync(stateFile)).toEqual(stateBytes);
        writeFileSync(file, original);
      }

      // undo: the host's registry, services and license settings are as before the apply.
      const undo = await rdsplan(['undo', d, '--simulate', stateFile, '--approve', undoToken!]);
      expect({ code: undo.code, stderr: undo.stderr, failures: undo.stdout.split('\n').filter((l) => /^\S+\s+failed\s+\S+ \(/.test(l)) }).toEqual({ code: 0, stderr: '', failures: [] });
      expect(undo.stdout).toMatch(/ rolledBack /);
      // The undo is on record too, as a run of its own.
      const undoDir = /^record: (.*)$/m.exec(undo.stdout)?.[1];
      expect(undoDir).toBeDefined();
      const undoRecord = JSON.parse(readFileSync(join(undoDir!, 'record.json'), 'utf8'));
      expect(undoRecord).toMatchObject({ mode: 'undo', host: record.host, status: 'succeeded', complete: true, exitCode: 0, plan: record.plan, undoOf: { runId: record.runId }, approval: { kind: 'token', token: undoToken } });
      expect(undoRecord.steps.map((st: { stepId: string }) => st.stepId)).toEqual(record.journal.map((e: { stepId: string }) => e.stepId).reverse());
      const now = hostSections(stateFile);
      const start = before[stateFiles.indexOf(stateFile)]!;
      expect(now.registry).toEqual(start.registry);
      expect(now.services).toEqual(start.services);
      if (RESTARTS_TERMSERVICE.has(name)) {
        // TermService read the new grace period at its restart; undo puts the value back
        // without restarting it, so GetGracePeriodDays keeps answering what it read.
        expect(now.terminalServices).toMatchObject({ graceDays: 120 });
      } else {
        expect(now.terminalServices).toEqual(start.terminalServices);
      }
    }
  });
});

describe('apply refuses a token that is not the plan\'s current approval token', () => {
  const plan = example('reset-grace-period');

  test.each([
    ['a wrong token', ['--approve', `sha256:${'0'.repeat(64)}`], /^rdsplan: refused: sha256:0{64} is not the approval token of .*reset-grace-period\.json as it is now: .*; to get one, run rdsplan review .*reset-grace-period\.json, have that review approved, and pass the token it ends with to --approve\. Nothing was run\n$/],
    ['a malformed token', ['--approve', 'yes'], /^rdsplan: refused: yes is not the approval token/],
    ['no token without a terminal', [], /^rdsplan: refused: apply needs --approve <token> when not run on a terminal; to get one, run rdsplan review .*\. Nothing was run\n$/],
  ])('%s: exit 4, nothing started, the host untouched', async (_label, flags, message) => {
    const dir = tmp();
    const absent = join(dir, 'absent.json');
    const present = join(dir, 'present.json');
    writeFileSync(present, '{ "terminalServices": { "graceDays": 12, "timebombGraceDays": 12 } }\n');
    for (const state of [absent, present]) {
      const bytes = existsSync(state) ? readFileSync(state) : undefined;
      const r = await rdsplan(['apply', plan, ...flags, '--simulate', state, '--records', join(dir, 'records')]);
      expect(r.code).toBe(4);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      // A refusal never hands out a token that would pass without review.
      expect(r.stderr).not.toContain(await approvalToken(plan));
      if (bytes) expect(readFileSync(state)).toEqual(bytes);
      else expect(existsSync(state)).toBe(false);
      expect(existsSync(`${state}.lock`)).toBe(false);
      expect(existsSync(join(dir, 'records'))).toBe(false);
    }
  });

  test('no token on a terminal: shows the review and asks; only "apply" runs it', async () => {
    const dir = tmp();
    const state = join(dir, 'host.json');
    const args = ['apply', plan, '--simulate', state, '--records', join(dir, 'records')];
    const token = await approvalToken(plan);
    const declined = await runCli(args, { env: runEnv(), tty: true, stdin: 'yes\n' });
    expect(declined.code).toBe(4);
    expect(declined.stderr).toContain(token);
    expect(declined.stderr).toContain('Type "apply" to run this plan on 1 host(s): ');
    expect(declined.stderr).toMatch(/rdsplan: refused: not confirmed; nothing was run\n$/);
    expect(existsSync(state)).toBe(false);
    const confirmed = await runCli(args, { env: runEnv(), tty: true, stdin: 'apply\n' });
    expect(confirmed.code).toBe(0);
    expect(recordDirs(join(dir, 'records'))).toHaveLength(1);
  });

  test('a token of the plan before an edit is refused after the edit', async () => {
    const dir = tmp();
    const copy = join(dir, 'plan.json');
    const text = readFileSync(plan, 'utf8');
    writeFileSync(copy, text);
    const token = await approvalToken(copy);
    writeFileSync(copy, text.replace('"restartService": true', '"restartService": false'));
    const state = join(dir, 'host.json');
    const r = await rdsplan(['apply', copy, '--approve', token, '--simulate', state, '--records', join(dir, 'records')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('the plan, the tool version or the script changed since the review');
    expect(existsSync(state)).toBe(false);
  });
});

describe('apply --expect-state', () => {
  const plan = example('reset-grace-period');

  test('aborts (exit 4) when the host changed since the reviewed check; runs when it did not', async () => {
    const dir = tmp();
    const state = join(dir, 'host.json');
    const common = ['--simulate', state, '--records', join(dir, 'records')];
    const check = await rdsplan(['check', plan, ...common, '--format', 'json']);
    expect(check.code).toBe(3);
    const saved = join(dir, 'check.json');
    writeFileSync(saved, check.stdout);
    const token = await approvalToken(plan);

    // Someone changes the host after the review: the grace period value is already gone.
    const host = JSON.parse(readFileSync(state, 'utf8'));
    const key = Object.keys(host.registry).find((k) => k.toLowerCase().endsWith('\\rcm\\graceperiod'))!;
    const original = readFileSync(state);
    host.registry[key].values = [];
    writeFileSync(state, `${JSON.stringify(host, null, 2)}\n`);
    const changed = readFileSync(state);
    const stale = await rdsplan(['apply', plan, '--approve', token, '--expect-state', saved, ...common]);
    expect(stale.code).toBe(4);
    expect(stale.stderr).toMatch(/^rdsplan: refused: localhost changed since the reviewed check: step grace\.(own|delete) was wouldChange .*, now unchanged .*Nothing was run\n$/);
    expect(hostSections(state)).toEqual(hostSectionsOf(changed));
    expect(recordDirs(join(dir, 'records'))).toEqual([]);

    // The host as reviewed: the apply goes ahead.
    writeFileSync(state, original);
    const ok = await rdsplan(['apply', plan, '--approve', token, '--expect-state', saved, ...common]);
    expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
    expect(recordDirs(join(dir, 'records'))).toHaveLength(1);
  });

  test('a file that is not check output is a usage error', async () => {
    const dir = tmp();
    const bogus = join(dir, 'bogus.json');
    writeFileSync(bogus, '{"hello": 1}');
    const r = await rdsplan(['apply', example('reset-grace-period'), '--approve', await approvalToken(example('reset-grace-period')), '--expect-state', bogus, '--simulate', join(dir, 'h.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not the output of rdsplan check --format json');
    expect(existsSync(join(dir, 'h.json'))).toBe(false);
  });
});

function hostSectionsOf(bytes: Buffer) {
  const s = JSON.parse(bytes.toString('utf8'));
  return { registry: s.registry, services: s.services, terminalServices: s.terminalServices };
}

describe('without a PowerShell', () => {
  const plan = example('reset-grace-period');

  test('RDSPLAN_POWERSHELL naming nothing: exit 1, one sentence, nothing run', async () => {
    const dir = tmp();
    const state = join(dir, 'h.json');
    const r = await runCli(['check', plan, '--simulate', state], { env: { RDSPLAN_POWERSHELL: '/nonexistent/pwsh', PATH: process.env.PATH } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("rdsplan: RDSPLAN_POWERSHELL is set to '/nonexistent/pwsh', which is not an executable file; unset it or point it at pwsh or powershell.exe\n");
    expect(existsSync(state)).toBe(false);
  });

  test('no pwsh or powershell.exe on PATH: exit 1, one sentence', async () => {
    const dir = tmp();
    const token = await approvalToken(plan);
    for (const args of [['check', plan], ['apply', plan, '--approve', token]]) {
      const r = await runCli([...args, '--simulate', join(dir, 'h.json'), '--records', join(dir, 'records')], { env: { PATH: dir } });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('rdsplan: no PowerShell found: install PowerShell 7 (pwsh) or Windows PowerShell, or set RDSPLAN_POWERSHELL to its path; nothing was run\n');
      expect(r.stdout).toBe('');
    }
    expect(existsSync(join(dir, 'h.json'))).toBe(false);
    expect(existsSync(join(dir, 'records'))).toBe(false);
  });

  test('--simulate naming one state file for a plan with several targets: usage error', async () => {
    const dir = tmp();
    const r = await runCli(['check', example('configure-licensing'), '--simulate', join(dir, 'one.json')], { env: { PATH: dir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rdsplan: --simulate ${join(dir, 'one.json')} is one state file, but the run has 2 targets; give a folder holding <host>.json per target\n`);
  });

  test('undo of a record: the same sentence', async () => {
    // A real, verified record (a forged one is refused before PowerShell is looked for).
    const dir = tmp();
    const plan = example('disable-licensing-service');
    const state = join(dir, 'host.json');
    const records = join(dir, 'records');
    expect((await rdsplan(['apply', plan, '--approve', await approvalToken(plan), '--simulate', state, '--records', records])).code).toBe(0);
    const rec = recordDirs(records)[0]!;
    const dry = await rdsplan(['undo', rec, '--dry-run', '--simulate', state]);
    const token = /^approval token: (\S+)$/m.exec(dry.stdout)![1]!;
    const r = await runCli(['undo', rec, '--simulate', state, '--approve', token], { env: { PATH: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rdsplan: no PowerShell found: .*nothing was run\n$/);
  });
});

describe('a host that cannot be read at the start failed (exit 1); it was not refused', () => {
  const plan = example('reset-grace-period');

  test('a state file that is not JSON, or in a folder that does not exist: check and apply exit 1, the state file untouched', async () => {
    const dir = tmp();
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "terminalServices": ');
    const token = await approvalToken(plan);
    for (const [state, why] of [
      [broken, /invalid simulated host state file: /],
      [join(dir, 'no-such-folder', 'h.json'), /the state file's folder does not exist/],
    ] as const) {
      for (const args of [['check', plan], ['apply', plan, '--approve', token]]) {
        const r = await rdsplan([...args, '--simulate', state, '--records', join(dir, 'records')]);
        expect({ args: args[0], code: r.code }).toEqual({ args: args[0], code: 1 });
        expect(r.stdout).toMatch(/localhost\s+failed\s+.*cannot start: /);
        expect(r.stdout).toMatch(why);
        expect(r.stdout).not.toMatch(/refused/);
      }
    }
    expect(readFileSync(broken, 'utf8')).toBe('{ "terminalServices": ');
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });
});
