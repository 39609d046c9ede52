/**
 * RdsPlan module: check, apply, runs and undo against the simulated host
 * (`-Simulate <temp state file>`, examples/reset-grace-period.json). The CLI started by the
 * module runs the generated script in the same PowerShell the tests use
 * (RDSPLAN_POWERSHELL, set by the harness).
 */
import { describe, test, expect } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emitJson, injectedLines, resetExample, runModule, tempDir } from './harness.js';

type CheckRow = { Host: string; StepId: string | null; Action: string | null; Status: string; Target: string | null; Before: unknown; After: unknown; Message: string | null };
type ApplyRow = { Host: string; ExitCode: number; Status: string; Record: string; Error: string | null };

const TIMEBOMB = 'L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588';
const GRACE_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';
const EXPECTED_STEPS = ['grace.export', 'grace.own', 'grace.delete', 'grace.restore', 'grace.restart', 'grace.days'];

/** The timebomb value's presence in a saved simulated state (undefined: no state file yet). */
function timebombPresent(stateFile: string): boolean | undefined {
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { registry?: Record<string, { values?: { name: string }[] }> };
  const key = Object.entries(state.registry ?? {}).find(([path]) => path.toLowerCase() === GRACE_KEY.toLowerCase());
  return (key?.[1].values ?? []).some((v) => v.name === TIMEBOMB);
}

describe('RdsPlan module: Invoke-RdsPlanCheck on the simulated host', () => {
  test('one object per step per host; changes pending (exit 3) is not an error', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const r = await runModule(
      `
      $global:LASTEXITCODE = 0
      $rows = @(Invoke-RdsPlanCheck -Path $env:RDSPLAN_T_PLAN -Simulate $env:RDSPLAN_T_STATE -Records $env:RDSPLAN_T_DIR)
      $rows | ${emitJson}
      $rows | Where-Object Status -eq 'wouldChange' | ForEach-Object { $_.StepId } | ${emitJson}
      Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Succeeded = $?; TypeName = $rows[0].PSObject.TypeNames[0] }))
      `,
      { RDSPLAN_T_PLAN: resetExample, RDSPLAN_T_STATE: state, RDSPLAN_T_DIR: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const [rows, pending, meta] = r.json as [CheckRow[], string[], { Succeeded: boolean; TypeName: string }];
    expect(rows.map((x) => x.StepId)).toEqual(EXPECTED_STEPS);
    for (const row of rows) {
      expect(row.Host).toBe('localhost');
      expect(Object.keys(row)).toEqual(expect.arrayContaining(['Host', 'StepId', 'Action', 'Status', 'Before', 'After', 'Message']));
    }
    const del = rows.find((x) => x.StepId === 'grace.delete')!;
    expect(del).toMatchObject({ Action: 'registry.deleteValue', Status: 'wouldChange', Target: GRACE_KEY, After: { Values: [] } });
    expect((del.Before as { Values: { Name: string }[] }).Values.map((v) => v.Name)).toEqual([TIMEBOMB]);
    expect(pending).toContain('grace.delete');
    expect(meta).toEqual({ Succeeded: true, TypeName: 'RdsPlan.CheckResult' });
    // A check is read-only: the timebomb is still there.
    expect(timebombPresent(state)).not.toBe(false);
  });

  test('a usage error (exit 2) is a terminating error carrying the CLI\'s message', async () => {
    const dir = tempDir();
    const r = await runModule(
      `try { Invoke-RdsPlanCheck -Path $env:RDSPLAN_T_PLAN -Target 'rdsh99' -Simulate (Join-Path $env:RDSPLAN_T_DIR 'state.json'); 'not reached' } catch {
        Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Id = $_.FullyQualifiedErrorId; Category = [string]$_.CategoryInfo.Category; Message = $_.Exception.Message; ExitCode = $_.Exception.Data['ExitCode'] }))
      }`,
      { RDSPLAN_T_PLAN: resetExample, RDSPLAN_T_DIR: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('not reached');
    const out = r.json[0] as { Id: string; Category: string; Message: string; ExitCode: number };
    expect(out.ExitCode).toBe(2);
    expect(out.Id).toMatch(/,Invoke-RdsPlanCheck$/);
    expect(out.Message).toMatch(/^rdsplan: /);
    expect(out.Message).toContain('rdsh99');
  });
  test('a failed check (exit 1): the step objects first, then a terminating error naming the failed step', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    writeFileSync(state, JSON.stringify({ faults: [{ call: 'Get-RdsRegistrySddl', nth: 1, message: 'The device is not ready.' }] }));
    const r = await runModule(
      `
      $rows = [System.Collections.Generic.List[object]]::new()
      try { Invoke-RdsPlanCheck -Path $env:RDSPLAN_T_PLAN -Simulate $env:RDSPLAN_T_STATE -Records $env:RDSPLAN_T_DIR | ForEach-Object { $rows.Add($_) }; 'not reached' } catch {
        Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Id = $_.FullyQualifiedErrorId; Category = [string]$_.CategoryInfo.Category; Message = $_.Exception.Message; ExitCode = $_.Exception.Data['ExitCode'] }))
      }
      $rows | ${emitJson}
      `,
      { RDSPLAN_T_PLAN: resetExample, RDSPLAN_T_STATE: state, RDSPLAN_T_DIR: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('not reached');
    expect(r.json[0]).toMatchObject({ Id: 'RdsPlan.Failed,Invoke-RdsPlanCheck', Category: 'OperationStopped', ExitCode: 1 });
    const rows = r.json[1] as CheckRow[];
    expect(rows.map((x) => x.StepId)).toEqual(EXPECTED_STEPS);
    const failed = rows.filter((x) => x.Status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    // The CLI prints nothing on stderr for a failed step: the error names each failed step.
    const message = (r.json[0] as { Message: string }).Message;
    expect(message.startsWith('rdsplan check failed: ')).toBe(true);
    for (const f of failed) expect(message).toContain(`localhost: ${f.StepId} (${f.Action}) failed: ${f.Message}`);
  });
});

describe('RdsPlan module: Invoke-RdsPlan, Get-RdsPlanRun, Undo-RdsPlanRun on the simulated host', () => {
  test('-WhatIf checks, a wrong token is refused, no -Confirm:$false in a non-interactive session runs nothing, then apply and undo', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const records = join(dir, 'records');
    const r = await runModule(
      `
      function Out-Step([string]$Name) { Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Step = $Name })) }
      $common = @{ Path = $env:RDSPLAN_T_PLAN; Simulate = $env:RDSPLAN_T_STATE; Records = $env:RDSPLAN_T_RECORDS }
      $token = (Get-RdsPlanReview -Path $env:RDSPLAN_T_PLAN -Format json).ApprovalToken

      Out-Step 'whatif'
      Invoke-RdsPlan @common -ApprovalToken $token -WhatIf | ${emitJson}

      Out-Step 'refused'
      try { Invoke-RdsPlan @common -ApprovalToken ('sha256:' + ('0' * 64)) -Confirm:$false } catch {
        Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Id = $_.FullyQualifiedErrorId; Category = [string]$_.CategoryInfo.Category; Message = $_.Exception.Message; ExitCode = $_.Exception.Data['ExitCode'] }))
      }

      Out-Step 'noconfirm'
      try { Invoke-RdsPlan @common -ApprovalToken $token; Out-Step 'ran without confirmation' } catch {
        Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Message = $_.Exception.Message }))
      }
      Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ RunsRecorded = @(Get-RdsPlanRun -Records $env:RDSPLAN_T_RECORDS).Count }))
      Invoke-RdsPlanCheck -Path $env:RDSPLAN_T_PLAN -Simulate $env:RDSPLAN_T_STATE -Records $env:RDSPLAN_T_RECORDS | Where-Object StepId -eq 'grace.delete' | ForEach-Object { $_.Status } | ${emitJson}

      Out-Step 'apply'
      $applied = @(Invoke-RdsPlan @common -ApprovalToken $token -Confirm:$false)
      $applied | ${emitJson}

      Out-Step 'after-apply'
      Invoke-RdsPlanCheck -Path $env:RDSPLAN_T_PLAN -Simulate $env:RDSPLAN_T_STATE -Records $env:RDSPLAN_T_RECORDS | ${emitJson}

      Out-Step 'runs'
      $runs = @(Get-RdsPlanRun -Records $env:RDSPLAN_T_RECORDS)
      $runs | ForEach-Object { [pscustomobject]@{ Path = $_.Path; Plan = $_.Plan; Host = $_.Host; Mode = $_.Mode; Status = $_.Status; StartedAtType = $_.StartedAt.GetType().FullName } } | ${emitJson}

      Out-Step 'undo-whatif'
      $runs | Undo-RdsPlanRun -WhatIf | ${emitJson}

      Out-Step 'undo'
      $runs | Undo-RdsPlanRun -Confirm:$false | ${emitJson}

      Out-Step 'after-undo'
      Invoke-RdsPlanCheck -Path $env:RDSPLAN_T_PLAN -Simulate $env:RDSPLAN_T_STATE -Records $env:RDSPLAN_T_RECORDS | ${emitJson}
      `,
      { RDSPLAN_T_PLAN: resetExample, RDSPLAN_T_STATE: state, RDSPLAN_T_RECORDS: records },
      { timeoutMs: 230_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(injectedLines(r)).toEqual([]);
    // Split the @@json lines into the named phases.
    const phases: Record<string, unknown[]> = {};
    let current = '';
    for (const item of r.json) {
      if (item && typeof item === 'object' && !Array.isArray(item) && 'Step' in item) {
        current = (item as { Step: string }).Step;
        phases[current] = [];
      } else {
        phases[current]!.push(item);
      }
    }
    expect(Object.keys(phases)).toEqual(['whatif', 'refused', 'noconfirm', 'apply', 'after-apply', 'runs', 'undo-whatif', 'undo', 'after-undo']);

    // -WhatIf: PowerShell's what-if line, then the check's step objects; nothing recorded.
    expect(r.stdout).toMatch(/What if: Performing the operation "Apply plan approved as sha256:[0-9a-f]{64}" on target ".*reset-grace-period\.json on every target of the plan \(simulated host .*state\.json\)"/);
    const whatIf = phases.whatif![0] as CheckRow[];
    expect(whatIf.map((x) => x.StepId)).toEqual(EXPECTED_STEPS);
    expect(whatIf.find((x) => x.StepId === 'grace.delete')!.Status).toBe('wouldChange');

    // A token that is not the plan's: PermissionDenied, exit 4, the CLI's words.
    expect(phases.refused![0]).toMatchObject({ Id: 'RdsPlan.Refused,Invoke-RdsPlan', Category: 'PermissionDenied', ExitCode: 4 });
    expect((phases.refused![0] as { Message: string }).Message).toMatch(/^rdsplan: refused: sha256:0{64} is not the approval token of .* Nothing was run$/);

    // ConfirmImpact High in a non-interactive session without -Confirm:$false: PowerShell
    // cannot ask, so the command fails and nothing runs.
    expect(phases.noconfirm).toHaveLength(3);
    expect((phases.noconfirm![0] as { Message: string }).Message).toMatch(/NonInteractive|prompt/i);
    expect(phases.noconfirm![1]).toEqual({ RunsRecorded: 0 });
    expect(phases.noconfirm![2]).toEqual(['wouldChange']);

    // The apply: one object per host with its record folder. (The state file can only be
    // read after the whole script; the check after the apply shows the value gone.)
    const [applied] = phases.apply as ApplyRow[][];
    expect(applied).toHaveLength(1);
    expect(applied![0]).toMatchObject({ Host: 'localhost', ExitCode: 0, Status: 'succeeded', Error: null });
    expect(existsSync(join(applied![0]!.Record, 'record.json'))).toBe(true);
    const afterApply = phases['after-apply']![0] as CheckRow[];
    expect(afterApply.find((x) => x.StepId === 'grace.delete')!.Status).toBe('unchanged');

    // Get-RdsPlanRun lists it; its Path pipes into Undo-RdsPlanRun.
    const [runs] = phases.runs as { Path: string; Plan: string; Host: string; Mode: string; Status: string; StartedAtType: string }[][];
    expect(runs).toEqual([{ Path: applied![0]!.Record, Plan: 'reset-grace-period-rdsh01', Host: 'localhost', Mode: 'apply', Status: 'succeeded', StartedAtType: 'System.DateTime' }]);

    const [dryRun] = phases['undo-whatif'] as string[][];
    expect(r.stdout).toContain(`What if: Performing the operation "Undo the recorded run" on target "${applied![0]!.Record}".`);
    expect(dryRun![0]).toMatch(/^Undo of run \S+ of plan reset-grace-period-rdsh01 on localhost, newest change first:$/);
    expect(dryRun!.join('\n')).toContain('grace.delete (registry.deleteValue): restore');

    const [undone] = phases.undo as string[][];
    expect(undone!.join('\n')).toMatch(/localhost\s+rolledBack\s+grace\.delete/);
    const afterUndo = phases['after-undo']![0] as CheckRow[];
    expect(afterUndo.find((x) => x.StepId === 'grace.delete')!.Status).toBe('wouldChange');
    expect(timebombPresent(state)).toBe(true);
  }, 240_000);
});

describe('RdsPlan module: a failed apply', () => {
  test('exit 1: the host object (Status failed, Record) first, then a terminating error from the CLI', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    writeFileSync(state, JSON.stringify({ faults: [{ call: 'Remove-RdsRegistryValue', nth: 1, message: 'The device is not ready.' }] }));
    const r = await runModule(
      `
      $token = (Get-RdsPlanReview -Path $env:RDSPLAN_T_PLAN -Format json).ApprovalToken
      $rows = [System.Collections.Generic.List[object]]::new()
      try { Invoke-RdsPlan -Path $env:RDSPLAN_T_PLAN -ApprovalToken $token -Simulate $env:RDSPLAN_T_STATE -Records $env:RDSPLAN_T_DIR -Confirm:$false | ForEach-Object { $rows.Add($_) }; 'not reached' } catch {
        Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Id = $_.FullyQualifiedErrorId; Category = [string]$_.CategoryInfo.Category; Message = $_.Exception.Message; ExitCode = $_.Exception.Data['ExitCode'] }))
      }
      $rows | ForEach-Object { [pscustomobject]@{ Host = $_.Host; ExitCode = $_.ExitCode; Status = $_.Status; Record = $_.Record } } | ${emitJson}
      `,
      { RDSPLAN_T_PLAN: resetExample, RDSPLAN_T_STATE: state, RDSPLAN_T_DIR: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('not reached');
    expect(r.json[0]).toMatchObject({ Id: 'RdsPlan.Failed,Invoke-RdsPlan', Category: 'OperationStopped', ExitCode: 1 });
    expect((r.json[0] as { Message: string }).Message.length).toBeGreaterThan(0);
    const rows = r.json[1] as { Host: string; ExitCode: number; Status: string; Record: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ Host: 'localhost', ExitCode: 1 });
    expect(rows[0]!.Status).not.toBe('succeeded');
    expect(existsSync(join(rows[0]!.Record, 'record.json'))).toBe(true);
  });
});

describe('run.test.ts helpers', () => {
  test('timebombPresent reads a state file and tolerates a missing one', () => {
    expect(timebombPresent(join(tempDir(), 'none.json'))).toBeUndefined();
  });
});
