import { isDamaged, listRuns, showRun, type DamagedRow, type RunRow } from '../apply/records.js';
import { terminalSafe } from '../apply/terminal-safe.js';
import type { Approval, RunRecord } from '../run/record.js';
import { COMMON_FLAGS, EXIT, type Command } from './command.js';
import { recordHostsLines, recordStepLines } from './human/run-record.js';
import { markdownCell } from './human/markdown-cell.js';

export const runsCommand: Command = {
  spec: {
    name: 'runs',
    usage: 'rdsplan runs [--records dir] [--format text|json]',
    summary: 'List the run records, oldest first.',
    flags: { ...COMMON_FLAGS, records: { value: true, description: 'folder that holds runs/ (default ./.rdsplan, on every platform)' }, format: { value: true, choices: ['text', 'json'], description: 'output format' } },
    positionals: { min: 0, max: 0, name: '' },
  },
  async run({ flags }, io) {
    const { folder, rows } = listRuns(io.cwd, typeof flags.records === 'string' ? flags.records : undefined);
    if (flags.format === 'json') io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) io.stdout.write(`${terminalSafe(`no runs in ${folder}`)}\n`);
    else for (const r of rows) io.stdout.write(`${terminalSafe(runLine(r))}\n`);
    // A damaged record is listed, and said once more where scripts look for trouble.
    for (const r of rows) if (isDamaged(r)) io.stderr.write(`rdsplan: ${terminalSafe(`${r.file}: ${r.problem}`)}\n`);
    return EXIT.ok;
  },
};

function runLine(r: RunRow | DamagedRow): string {
  if (isDamaged(r)) return `DAMAGED  ${r.file}: ${r.problem}`;
  return `${r.startedAt}  ${r.mode.padEnd(5)}  ${r.status.padEnd(10)}  ${r.host}  ${r.plan}${r.simulated ? '  (simulated)' : ''}  ${r.dir}`;
}

/** The approval as an auditor asks for it: which token, and whether a change board's token or a typed confirmation. */
export function approvalText(approval: Approval | undefined): string {
  if (!approval) return 'approval: not recorded (a format 1 record)';
  if (approval.kind === 'token') return `approved with token ${approval.token} (--approve, the reviewed token)`;
  return `approved interactively: ${approval.user}${approval.host ? ` on ${approval.host}` : ''} typed the confirmation at ${approval.time} after the review of token ${approval.token} (no --approve token)`;
}

function recordText(r: RunRecord, markdown: boolean): string {
  const lines = [
    `${markdown ? '# ' : ''}Run ${r.runId}: ${r.plan.name} on ${r.host} (${r.mode}) — ${r.status}, exit ${r.exitCode}`,
    '',
    `- plan: ${r.plan.file} (sha256 ${r.plan.sha256})`,
    `- ${approvalText(r.approval)}`,
    `- script: sha256 ${r.script.sha256}, script token ${r.script.approvalToken}, rdsplan ${r.script.toolVersion}, platform ${r.script.platform}${r.script.platform === 'sim' ? ' (simulated host)' : ''}`,
    `- ran by: ${r.ranBy.user} on ${r.ranBy.machine}${r.ranBy.remoteUser ? ` (as ${r.ranBy.remoteUser} on the host)` : ''}`,
    `- from ${r.startedAt} to ${r.endedAt}`,
    ...recordHostsLines(r),
    ...(r.complete === false ? [`- INCOMPLETE: ${r.interrupted ?? 'rdsplan ended before the run was finalized'}`] : []),
    ...(r.undoOf ? [`- undo of run ${r.undoOf.runId} (${r.undoOf.record})`] : []),
    ...(r.forced ? [`- forced (--force): ${r.forced.reason}; past ${r.forced.overrode.join('; ') || 'no refusal'}`] : []),
    ...(r.error ? [`- error: ${r.error}`] : []),
    ...(r.summary?.message ? [`- ${r.summary.message}`] : []),
    ...(r.summary?.status === 'rolledBack'
      ? [`- rolled back: ${r.steps.filter((s) => s.status === 'rolledBack').map((s) => s.stepId).join(', ') || 'nothing had changed'}; the host is ${r.summary.restoredToStart ? '' : 'NOT '}back at its start`]
      : []),
    '',
    ...(markdown
      ? [
          '| step | action | status | before | after | message |',
          '|---|---|---|---|---|---|',
          ...r.steps.map((s) => {
            const cells = [s.stepId, s.action, s.status, JSON.stringify(s.before ?? null), JSON.stringify(s.after ?? null), s.message ?? ''];
            return `| ${cells.map(markdownCell).join(' | ')} |`;
          }),
        ]
      : recordStepLines(r)),
    '',
    'backups:',
    ...r.backups.map((b) => `  ${b.stepId}: ${b.file} sha256 ${b.sha256}`),
  ];
  // Each line escaped on its own: a newline inside a host's text cannot start a line of ours.
  return `${lines.map((line) => terminalSafe(line)).join('\n')}\n`;
}

export const showRunCommand: Command = {
  spec: {
    name: 'show-run',
    usage: 'rdsplan show-run <run-record-dir> [--format text|markdown|json]',
    summary: 'Print one run record.',
    flags: { ...COMMON_FLAGS, format: { value: true, choices: ['text', 'markdown', 'json'], description: 'output format' } },
    positionals: { min: 1, max: 1, name: 'a run record folder' },
  },
  async run({ positionals, flags }, io) {
    const record = showRun(io.cwd, positionals[0]!);
    io.stdout.write(flags.format === 'json' ? `${JSON.stringify(record, null, 2)}\n` : recordText(record, flags.format === 'markdown'));
    return EXIT.ok;
  },
};
