/**
 * `rdsplan apply --interactive` against simulated hosts: check, the would-change list, the
 * typed confirmation (a stdin stream standing in for the terminal), apply, all in one
 * PowerShell process. The PowerShell is wrapped by small sh launchers that log each start
 * (or hang on purpose) and then exec the engine the suites use.
 */
import { describe, afterAll, expect, test } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli } from '../support/cli.js';
import { powershellPath } from '../support/powershell.js';
import { survivors } from '../support/processes.js';

const PLAN = resolve('examples/reset-grace-period.json');
const TIMEBOMB = 'L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588';
const GRACE_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';
const tmp = (prefix = 'rdsplan-interactive-') => mkdtempSync(join(tmpdir(), prefix));

type State = { calls?: unknown; callLog?: unknown; registry?: Record<string, { values?: { name: string; data?: unknown }[] }> };

function readState(file: string): State {
  return JSON.parse(readFileSync(file, 'utf8')) as State;
}


function timebombPresent(file: string): boolean {
  return timebombData(file) !== undefined;
}

/** The timebomb's data: after a reset TermService writes a fresh one, so a reset shows as new data. */
function timebombData(file: string): unknown {
  const key = Object.entries(readState(file).registry ?? {}).find(([path]) => path.toLowerCase() === GRACE_KEY.toLowerCase());
  return (key?.[1].values ?? []).find((v) => v.name === TIMEBOMB)?.data;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function launcher(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('rdsplan apply --interactive (simulated host)', () => {
  const engine = powershellPath();
  const setupDir = tmp();
  /** A state file as a first read-only check leaves it: the default simulated host, timebomb present. */
  let pristine: Buffer;
  const mark = `rdsplan-test-${randomBytes(6).toString('hex')}`;

  const env = (powershell: string) => ({ RDSPLAN_POWERSHELL: powershell, PATH: process.env.PATH, NO_COLOR: '1' });
  /** Logs every start of PowerShell to `log`, then becomes the engine (exec: same pid). */
  const counting = (dir: string, log: string) => launcher(dir, 'pwsh-counting', `echo "$$" >> ${shellQuote(log)}\nexec ${shellQuote(engine)} "$@"`);

  /** Reset done: the old expiry is gone and TermService, restarted, wrote a fresh timebomb. */
  function expectReset(file: string): void {
    const original = timebombData(join(setupDir, 'seed.json'));
    expect(original).toBeDefined();
    expect(timebombData(file)).toBeDefined();
    expect(timebombData(file)).not.toEqual(original);
  }

  async function freshState(dir: string): Promise<string> {
    if (!pristine) {
      const seed = join(setupDir, 'seed.json');
      const r = await runCli(['check', PLAN, '--simulate', seed, '--records', join(setupDir, 'records')], { env: env(engine) });
      expect(r.code).toBe(3);
      pristine = readFileSync(seed);
    }
    const state = join(dir, 'state.json');
    writeFileSync(state, pristine);
    return state;
  }

  afterAll(() => {
    // No process of the timeout tests may survive them.
    expect(survivors(mark)).toEqual([]);
  });

  test('"apply" at the prompt: check, list, confirm and apply in ONE PowerShell process; record written', async () => {
    const dir = tmp();
    const state = await freshState(dir);
    const log = join(dir, 'starts.log');
    const records = join(dir, 'records');
    const r = await runCli(['apply', PLAN, '--interactive', '--simulate', state, '--records', records], { env: env(counting(dir, log)), stdin: 'apply\n', tty: true });
    expect(r.stderr).toContain('Type "apply" to continue');
    expect(r.code).toBe(0);
    // The review (what the typed confirmation approves) came first.
    expect(r.stderr.indexOf('grace.delete')).toBeLessThan(r.stderr.indexOf('Type "apply"'));
    // The check, as `check` prints it: the host's block in plan order, then the would-change list in words.
    expect(r.stdout).toMatch(/^localhost\n {2}unchanged {5}grace\.restart\.sessions \(host\.testSessions\) {2}users signed in on the host\n {16}no user is signed in\n {2}would change {2}grace\.due \(rds\.testGracePeriod\)/);
    expect(r.stdout).toMatch(/Would change \(\d+ step\(s\) on 1 host\(s\)\):/);
    const list = r.stdout.slice(r.stdout.indexOf('Would change ('));
    expect(list).toContain('  localhost  grace.delete (registry.deleteValue) HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod\n      Values: L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588 (Binary) = ');
    expect(list).toContain('      Owner: NETWORK SERVICE (S-1-5-20) → Administrators (S-1-5-32-544)\n');
    // No JSON fragments cut with "...".
    expect(list.slice(0, list.indexOf('Type "apply"') >>> 0)).not.toMatch(/\{"|\.\.\.$/m);
    // Applied: the old timebomb is gone (a fresh one in its place), the summary table and the record are there.
    expectReset(state);
    expect(r.stdout).toMatch(/localhost\s+succeeded/);
    const runs = readdirSync(join(records, 'runs'));
    expect(runs).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(records, 'runs', runs[0]!, 'record.json'), 'utf8'));
    expect(record).toMatchObject({ mode: 'apply', host: 'localhost', status: 'succeeded', exitCode: 0, simulated: { stateFile: state } });
    expect(record.steps.find((s: { stepId: string }) => s.stepId === 'grace.delete').status).toBe('changed');
    expect(r.stdout).toContain(`record: ${join(records, 'runs', runs[0]!)}`);
    // One PowerShell process for the check and the apply.
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('any other answer: exit 4, nothing applied, the simulated host as it was', async () => {
    const dir = tmp();
    const state = await freshState(dir);
    const records = join(dir, 'records');
    const r = await runCli(['apply', PLAN, '--interactive', '--simulate', state, '--records', records], { env: env(engine), stdin: 'no\n', tty: true });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('rdsplan: refused: not confirmed; nothing was applied');
    expect(r.stdout).toContain('grace.delete');
    expect(existsSync(join(records, 'runs'))).toBe(false);
    // Byte for byte what a read-only check leaves (the simulator saves its call counters on every run) …
    expect(readFileSync(state).equals(pristine)).toBe(true);
    // … and the host itself untouched.
    expect(timebombPresent(state)).toBe(true);
    // End of input without an answer is a no as well.
    const eof = await runCli(['apply', PLAN, '--interactive', '--simulate', state, '--records', records], { env: env(engine), stdin: '', tty: true });
    expect(eof.code).toBe(4);
    expect(timebombPresent(state)).toBe(true);
  });

  test('approval rules: a wrong --approve token or no terminal is refused before PowerShell starts', async () => {
    const dir = tmp();
    const state = await freshState(dir);
    const log = join(dir, 'starts.log');
    const wrong = await runCli(['apply', PLAN, '--interactive', '--approve', `sha256:${'0'.repeat(64)}`, '--simulate', state, '--records', join(dir, 'r')], { env: env(counting(dir, log)), stdin: 'apply\n', tty: true });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/is not the approval token/);
    const noTty = await runCli(['apply', PLAN, '--interactive', '--simulate', state, '--records', join(dir, 'r')], { env: env(counting(dir, log)), stdin: 'apply\n' });
    expect(noTty.code).toBe(4);
    expect(noTty.stderr).toMatch(/asks for confirmation on a terminal/);
    expect(existsSync(log)).toBe(false);
    expect(readFileSync(state).equals(pristine)).toBe(true);

    // The right token: still asked (interactive), and not shown the review again.
    const review = await runCli(['review', PLAN, '--format', 'json']);
    const token = JSON.parse(review.stdout).approvalToken as string;
    const ok = await runCli(['apply', PLAN, '--interactive', '--approve', token, '--simulate', state, '--records', join(dir, 'r')], { env: env(counting(dir, log)), stdin: 'apply\n', tty: true });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('Type "apply" to continue');
    expectReset(state);
    const record = JSON.parse(readFileSync(join(dir, 'r', 'runs', readdirSync(join(dir, 'r', 'runs'))[0]!, 'record.json'), 'utf8'));
    expect(record.approvedToken).toBe(token);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('two simulated hosts: both checked, listed and applied one after another in the same process; then nothing is left to do', async () => {
    const dir = tmp();
    const plan = join(dir, 'two-hosts.json');
    writeFileSync(plan, JSON.stringify({ ...JSON.parse(readFileSync(PLAN, 'utf8')), $schema: undefined, name: 'reset-two', targets: ['rdsh01', 'rdsh02'] }));
    const hosts = join(dir, 'hosts');
    mkdirSync(hosts);
    const log = join(dir, 'starts.log');
    const records = join(dir, 'records');
    const args = ['apply', plan, '--interactive', '--simulate', hosts, '--records', records];
    const r = await runCli(args, { env: env(counting(dir, log)), stdin: 'apply\n', tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Would change \(\d+ step\(s\) on 2 host\(s\)\):/);
    expect(r.stdout).toMatch(/^rdsh01\s+succeeded/m);
    expect(r.stdout).toMatch(/^rdsh02\s+succeeded/m);
    for (const host of ['rdsh01', 'rdsh02']) expectReset(join(hosts, `${host}.json`));
    const runs = readdirSync(join(records, 'runs'));
    expect(runs.map((name) => name.replace(/^.*-reset-two-/, '').replace(/-[0-9a-f]{8}$/, '')).sort()).toEqual(['rdsh01', 'rdsh02']);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);

    // In the desired state: no question, no apply, no record.
    const again = await runCli(args, { env: env(engine), stdin: '', tty: true });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing would change on 2 host(s); nothing was applied.');
    expect(again.stderr).not.toContain('Type "apply"');
    expect(readdirSync(join(records, 'runs'))).toHaveLength(2);
  });

  test('remote targets: one PSSession per host is opened in the session first; a host that cannot be reached stops the run before anything runs', async () => {
    // Only the structure can be tested here: no WSMan client (or no such host) makes New-PSSession fail.
    const dir = tmp();
    const plan = join(dir, 'remote.json');
    writeFileSync(plan, JSON.stringify({ ...JSON.parse(readFileSync(PLAN, 'utf8')), $schema: undefined, targets: ['rdsh01.invalid', { computerName: 'rdsh02.invalid', port: 5986, useSSL: true }] }));
    const r = await runCli(['apply', plan, '--interactive', '--records', join(dir, 'records'), '--timeout', '120'], { env: env(engine), stdin: 'apply\n', tty: true });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^rdsh01\.invalid\s+incomplete .* remoting failed: could not open a session/m);
    expect(r.stdout).toMatch(/^rdsh02\.invalid\s+incomplete .* remoting failed: could not open a session/m);
    expect(r.stderr).toContain('rdsplan: the check did not succeed on every host (exit 1); nothing was applied');
    expect(r.stderr).not.toContain('Type "apply"');
    expect(existsSync(join(dir, 'records', 'runs'))).toBe(false);
  });

  test('a hostile folder name (quotes, $(), backticks, ;, newline) is passed intact and runs nothing', async () => {
    const canary = join(tmp(), 'canary.txt');
    const write = '[IO.File]::WriteAllText($env:RDSPLAN_TEST_CANARY,1)';
    // Two nested folders: one name may hold 255 bytes.
    const dir = join(tmp(), `x' ; ${write} ; '\u2019 $(${write}) ;`, `\`$(${write}) "$(${write})" ;\n${write}\n# \u2018 end`);
    mkdirSync(dir, { recursive: true });
    const state = await freshState(dir);
    const records = join(dir, 'records');
    process.env.RDSPLAN_TEST_CANARY = canary;
    try {
      const r = await runCli(['apply', PLAN, '--interactive', '--simulate', state, '--records', records], { env: env(engine), stdin: 'apply\n', tty: true });
      // Nothing on stderr after the answer: no parse error, no failed command.
      expect(r.stderr.split('Type "apply" to continue: ')[1]).not.toMatch(/exception|error|not recognized/i);
      expect(r.code).toBe(0);
      expectReset(state);
      const runs = readdirSync(join(records, 'runs'));
      const run = join(records, 'runs', runs[0]!);
      const record = JSON.parse(readFileSync(join(run, 'record.json'), 'utf8'));
      expect(record.simulated.stateFile).toBe(state);
      // The script got the backup folder exactly as rdsplan computed it.
      const start = JSON.parse(readFileSync(join(run, 'events.jsonl'), 'utf8').split('\n')[0]!.replace(/^@@rdsplan /, ''));
      expect(start.backupDirectory).toBe(join(records, 'backups', 'localhost', record.runId));
      expect(existsSync(canary)).toBe(false);
    } finally {
      delete process.env.RDSPLAN_TEST_CANARY;
    }
  });

  const onLinux = process.platform === 'linux' ? test : test.skip;

  /** A launcher that forwards the session's lines to the engine but stops at the first line matching `pattern`. */
  const hanging = (dir: string, pattern: string) =>
    launcher(
      dir,
      'pwsh-hanging',
      [
        `RDSPLAN_TEST_MARK=${mark}`,
        'export RDSPLAN_TEST_MARK',
        `while IFS= read -r line; do case "$line" in ${pattern}) sleep 300;; esac; printf '%s\\n' "$line"; done | ${shellQuote(engine)} "$@"`,
      ].join('\n'),
    );

  onLinux('--timeout during the check: the session is killed (the launcher, its children, the engine), exit 1, nothing applied', async () => {
    const dir = tmp();
    const state = await freshState(dir);
    const records = join(dir, 'records');
    const started = Date.now();
    const r = await runCli(['apply', PLAN, '--interactive', '--timeout', '1', '--simulate', state, '--records', records], { env: env(hanging(dir, '*-WhatIf*')), stdin: 'apply\n', tty: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rdsplan: the PowerShell session timed out after 1 s \(--timeout, per phase\); its process \(pid \d+\) and everything it started were killed during the check; nothing was applied\n$/);
    expect(r.stderr).not.toContain('Type "apply"');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(survivors(mark)).toEqual([]);
    expect(readFileSync(state).equals(pristine)).toBe(true);
    expect(existsSync(join(records, 'runs'))).toBe(false);
  });

  onLinux('--timeout during the apply: killed, exit 1, the record says why', async () => {
    const dir = tmp();
    const state = await freshState(dir);
    const records = join(dir, 'records');
    const r = await runCli(['apply', PLAN, '--interactive', '--timeout', '8', '--simulate', state, '--records', records], {
      env: env(hanging(dir, '*-WhatIf*) ;; *-RunId*')),
      stdin: 'apply\n',
      tty: true,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Type "apply" to continue');
    expect(r.stderr).toMatch(/rdsplan: the PowerShell session timed out after 8 s \(--timeout, per phase\); its process \(pid \d+\) and everything it started were killed\n/);
    expect(r.stdout).toMatch(/localhost\s+incomplete/);
    expect(survivors(mark)).toEqual([]);
    const runs = readdirSync(join(records, 'runs'));
    const record = JSON.parse(readFileSync(join(records, 'runs', runs[0]!, 'record.json'), 'utf8'));
    expect(record).toMatchObject({ mode: 'apply', status: 'incomplete', exitCode: 1 });
    expect(record.error).toMatch(/timed out after 8 s/);
    expect(timebombPresent(state)).toBe(true);
  });
});
