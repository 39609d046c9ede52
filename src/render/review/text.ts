import type { RiskClass } from '../../actions/types.js';
import type { Target } from '../../plan/types.js';
import type { Review, ReviewStep } from './model.js';

/**
 * The review as plain text for a terminal or a mail. Also home of the vocabulary the other
 * renderers share (risk labels, handler wording, how hidden characters are shown), so that
 * every format says the same thing in the same words.
 */

export const RISK_LABELS: Record<RiskClass, string> = {
  irreversible: 'IRREVERSIBLE',
  reboot: 'REBOOT',
  'service-restart': 'SERVICE RESTART',
  destructive: 'DESTRUCTIVE',
  ownership: 'OWNERSHIP/ACL',
  service: 'SERVICE',
  configuration: 'CONFIGURATION',
  backup: 'BACKUP',
  'read-only': 'READ-ONLY',
};

/** Classes a change board must not miss; the renderers give them the loudest styling. */
export const SEVERE_RISKS: ReadonlySet<RiskClass> = new Set(['irreversible', 'reboot', 'service-restart', 'destructive']);

export const HANDLER_NOTE = 'runs only if an earlier step changed something';

export const APPROVAL_LABEL = 'Approval token';

/**
 * Characters that would act rather than show: terminal escapes and carriage returns (which
 * can forge or hide lines), other C0/C1 controls, bidi overrides (which reorder what the
 * reader sees, "Trojan Source"), invisible characters that make two names look alike (zero-width
 * space, joiners, word joiner and invisible operators, soft hyphen, a BOM inside text) and lone
 * surrogates. They become a visible `<U+XXXX>` in every format; tab and line feed stay, each
 * format shows those its own way.
 */
const HIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uD800-\uDFFF]/gu;

export function revealHidden(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(HIDDEN, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`);
}

export function targetText(target: Target): string {
  const extras = [
    ...(target.port !== undefined ? [`port ${target.port}`] : []),
    ...(target.useSSL !== undefined ? [target.useSSL ? 'HTTPS' : 'HTTP'] : []),
  ];
  return extras.length ? `${target.computerName} (${extras.join(', ')})` : target.computerName;
}

/** The distinct risk texts of one class across the steps, for the summary. */
export function riskTexts(review: Review, riskClass: RiskClass): string[] {
  return [...new Set(review.steps.flatMap((s) => s.risks.filter((r) => r.class === riskClass).map((r) => r.text)))];
}

export function changeFields(review: Review): [string, string][] {
  const change = review.plan.change ?? {};
  const fields: [string, string | undefined][] = [
    ['Change', change.id],
    ['Requested by', change.requestedBy],
    ['Approved by', change.approvedBy],
    ['Window', change.window],
  ];
  return fields.filter((f): f is [string, string] => f[1] !== undefined);
}

export function optionFields(review: Review): [string, string][] {
  const o = review.options;
  return [
    ['On error', o.onError],
    ['Reboot', o.reboot],
    ['Backup directory', o.backupDirectory],
    ['Timeout', `${o.timeoutSeconds} seconds`],
  ];
}

export function presetOf(step: ReviewStep): string | undefined {
  return step.preset ? `${step.preset.id} (${step.preset.action})` : undefined;
}

const ANSI = { bold: '1', red: '31', yellow: '33', green: '32', cyan: '36', dim: '2' } as const;
type Style = keyof typeof ANSI;

const RISK_STYLE: Record<RiskClass, Style[]> = {
  irreversible: ['bold', 'red'],
  reboot: ['bold', 'red'],
  'service-restart': ['bold', 'red'],
  destructive: ['bold', 'red'],
  ownership: ['bold', 'yellow'],
  service: ['yellow'],
  configuration: ['cyan'],
  backup: ['green'],
  'read-only': ['dim'],
};

interface Writer {
  style(text: string, ...styles: Style[]): string;
}

function writer(color: boolean): Writer {
  return {
    style: (text, ...styles) => (color && styles.length ? `\u001b[${styles.map((s) => ANSI[s]).join(';')}m${text}\u001b[0m` : text),
  };
}

/** Plan text on an indented line: later lines of a multi-line value keep the indent, so no value can start a line of its own. */
function block(text: string, indent: string): string {
  return revealHidden(text).split('\n').join(`\n${indent}`);
}

function fields(rows: [string, string][], indent: string): string[] {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}${block(value, indent + ' '.repeat(width))}`);
}

function list(items: string[], indent = '  '): string[] {
  return items.map((item) => `${indent}- ${block(item, `${indent}  `)}`);
}

function riskLine(w: Writer, riskClass: RiskClass, text: string): string {
  return `${w.style(`[${RISK_LABELS[riskClass]}]`, ...RISK_STYLE[riskClass])} ${block(text, '        ')}`;
}

function stepLines(w: Writer, step: ReviewStep, index: number): string[] {
  const pad = '     ';
  const preset = presetOf(step);
  return [
    `${String(index + 1).padStart(3)}. ${w.style(block(step.id, pad), 'bold')}  ${block(step.action, pad)}${preset ? `  (from preset ${block(preset, pad)})` : ''}`,
    `${pad}${block(step.what, pad)}`,
    ...(step.description !== undefined ? [`${pad}Description: ${block(step.description, `${pad}  `)}`] : []),
    ...(step.runWhen === 'changed' ? [`${pad}${w.style(`Handler: ${HANDLER_NOTE}.`, 'yellow')}`] : []),
    ...(step.dependsOn.length ? [`${pad}After: ${block(step.dependsOn.join(', '), pad)}`] : []),
    ...step.risks.map((r) => `${pad}${riskLine(w, r.class, r.text)}`),
    ...(step.privileges.length ? [`${pad}Privileges: ${block(step.privileges.join(', '), pad)}`] : []),
    `${pad}Rollback: ${step.rollback === null ? 'nothing to undo' : block(step.rollback, pad)}`,
    `${pad}Parameters: ${block(JSON.stringify(step.parameters), pad)}`,
  ];
}

function section(w: Writer, title: string, body: string[]): string[] {
  return body.length ? ['', w.style(title, 'bold'), ...body] : [];
}

export function renderText(review: Review, options: { color: boolean }): string {
  const w = writer(options.color);
  const title = `rdsplan review: ${block(review.plan.name, '  ')}`;
  const lines = [
    w.style(title, 'bold'),
    '='.repeat(title.length),
    ...section(w, 'Plan', [
      ...fields(
        [
          ['Name', review.plan.name],
          ['File', review.plan.file],
          ['Plan sha256', review.plan.sha256],
          ...(review.plan.description !== undefined ? ([['Description', review.plan.description]] as [string, string][]) : []),
          ...changeFields(review),
          ['Tool', `${review.tool.name} ${review.tool.version}`],
        ],
        '  ',
      ),
    ]),
    ...section(w, `Targets (${review.targets.length})`, list(review.targets.map(targetText))),
    ...section(w, 'Options', fields(optionFields(review), '  ')),
    ...section(
      w,
      'Risks',
      review.risks.flatMap((r) => [
        `  ${w.style(`[${RISK_LABELS[r.class]}]`, ...RISK_STYLE[r.class])} ${block(r.steps.join(', '), '    ')}`,
        ...riskTexts(review, r.class).map((t) => `      ${block(t, '      ')}`),
      ]),
    ),
    ...section(
      w,
      'Presets',
      review.presets.flatMap((p) => [
        `  ${block(`${p.id} (${p.action})`, '    ')}: ${block(p.summary, '    ')}`,
        `    expands into: ${block(p.expandsTo.join(', '), '    ')}`,
      ]),
    ),
    ...section(w, `Steps (${review.steps.length})`, review.steps.flatMap((step, i) => [...(i ? [''] : []), ...stepLines(w, step, i)])),
    ...section(w, 'Backups taken before any change', list(review.backups.map((b) => `${b.stepId}: ${b.key} -> ${b.file}`))),
    ...section(w, 'Privileges enabled', list(review.privileges.map((p) => `${p.name}: ${p.steps.join(', ')}`))),
    ...section(w, `Rollback (onError: ${revealHidden(review.rollback.onError)})`, [
      `  ${block(review.rollback.summary, '  ')}`,
      ...list(review.rollback.steps.map((s) => `${s.stepId}: ${s.text}`)),
    ]),
    ...section(w, 'Notes', list(review.notes)),
    ...section(
      w,
      'Warnings',
      review.warnings.map((x) => `  ${w.style('warning', 'yellow')} ${x.line}:${x.column} ${block(x.pointer || '/', '    ')}: ${block(x.message, '    ')}`),
    ),
    ...section(w, 'Script', fields([['Platform', review.script.platform], ['sha256', review.script.sha256]], '  ')),
    '',
    // Never styled: `tail -n 1` and copy-paste from a terminal must give the bare token line.
    `${APPROVAL_LABEL}: ${revealHidden(review.approvalToken)}`,
  ];
  return `${lines.join('\n')}\n`;
}
