import { nameSids } from '../../shared/names.js';
import { escapeHtml } from './html.js';
import type { Review, ReviewStep } from './model.js';
import { APPROVAL_LABEL, HANDLER_NOTE, RISK_LABELS, changeFields, optionFields, presetOf, revealHidden, riskTexts, targetText } from './text.js';

/**
 * The review as GitHub-flavoured markdown for a pull request or a change ticket. Plan text
 * reaches the output only through escapeMarkdown, markdownCode or (inside the raw HTML of a
 * `<summary>`) summaryHtml; everything else is ours.
 */

/** ASCII punctuation: CommonMark lets a backslash escape each of these, and no other character starts markup. */
const PUNCTUATION = /[!-/:-@[-`{-~]/g;

/**
 * Plan text as literal markdown: every ASCII punctuation character is backslash-escaped, so
 * no emphasis, link, autolink, HTML, entity or table pipe can form, and line breaks become
 * `<br>` so a value never leaves its table cell, list item or paragraph.
 */
export function escapeMarkdown(text: string): string {
  return revealHidden(text).replace(PUNCTUATION, '\\$&').replace(/\n/g, '<br>');
}

/**
 * Plan text as a code span, for table cells only: GitHub splits table cells before it parses
 * code spans, so a pipe needs its backslash even inside one (and would show it elsewhere).
 * The fence is one backtick longer than any run inside, padded with a space where the text
 * begins or ends with a backtick or space (CommonMark strips one space each side). Code
 * spans cannot hold line breaks; they show as U+2424. Markdown has no empty code span, so
 * an empty value (the registry's default value name) reads "(empty)".
 */
export function markdownCode(text: string): string {
  if (text === '') return '*(empty)*';
  const body = revealHidden(text).replace(/\n/g, '\u2424').replace(/\|/g, '\\|');
  const fence = '`'.repeat(Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = /^[` ]|[` ]$/.test(body) && !/^ +$/.test(body) ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** The token is ours (hex), so it stays bare for copying; anything else it could be is escaped. */
function tokenText(token: string): string {
  return /^sha256:[0-9a-f]{64}$/.test(token) ? token : escapeMarkdown(token);
}

/** Wording of ours or of the plan that may carry SIDs: named, then escaped. */
function prose(text: string): string {
  return escapeMarkdown(nameSids(text));
}

function table(header: string[], rows: string[][]): string[] {
  if (!rows.length) return [];
  // Spaces around every pipe: a cell ending in a backslash must not escape the separator.
  const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [row(header), row(header.map(() => '---')), ...rows.map(row), ''];
}

function section(title: string, body: string[]): string[] {
  return body.length ? [`## ${title}`, '', ...body] : [];
}

function codeList(items: string[]): string {
  return items.map(markdownCode).join(', ');
}

function risksCell(step: ReviewStep): string {
  return step.risks.map((r) => `**\\[${RISK_LABELS[r.class]}\\]** ${prose(r.text)}`).join('<br>');
}

/**
 * Plan text inside `<summary>`: that line is a raw HTML block, where backslash escapes would
 * show and a blank line would end the block, so it is HTML-escaped and kept on one line. A
 * pipe cannot start a table there, but as an entity no reader or tool can mistake it for one.
 */
function summaryHtml(text: string): string {
  return escapeHtml(text).replace(/\n/g, '<br>').replace(/\|/g, '&#124;');
}

function riskClasses(step: ReviewStep): string {
  return [...new Set(step.risks.map((r) => RISK_LABELS[r.class]))].join(', ');
}

/** One step folded: the summary line names it, the table inside is what a reviewer opens. */
function stepDetails(step: ReviewStep, index: number): string[] {
  const preset = presetOf(step);
  const rows: [string, string][] = [
    ['Action', markdownCode(step.action)],
    ...(preset !== undefined ? ([['From preset', escapeMarkdown(preset)]] as [string, string][]) : []),
    ['Does', prose(step.what)],
    ...(step.description !== undefined ? ([['Description', escapeMarkdown(step.description)]] as [string, string][]) : []),
    ...(step.runWhen === 'changed' ? ([['Handler', `**${escapeMarkdown(HANDLER_NOTE)}**`]] as [string, string][]) : []),
    ...(step.dependsOn.length ? ([['After', codeList(step.dependsOn)]] as [string, string][]) : []),
    ['Risk', risksCell(step)],
    ...(step.privileges.length ? ([['Privileges', codeList(step.privileges)]] as [string, string][]) : []),
    ['Rollback', step.rollback === null ? 'nothing to undo' : prose(step.rollback)],
    ['Parameters', markdownCode(JSON.stringify(step.parameters))],
  ];
  return [
    '<details>',
    `<summary>${index + 1}. <code>${summaryHtml(step.id)}</code> ${summaryHtml(step.action)}: ${summaryHtml(riskClasses(step))}</summary>`,
    '',
    ...table(['Step', markdownCode(step.id)], rows),
    '</details>',
    '',
  ];
}

/** What a change board reads first: the plan, where it runs, how much it does, how risky, which token. */
function summary(review: Review): string[] {
  const risks = review.risks.map((r) => `**\\[${RISK_LABELS[r.class]}\\]** ${r.steps.map(escapeMarkdown).join(', ')}`);
  return [
    `- **Plan:** ${escapeMarkdown(review.plan.name)} (${escapeMarkdown(review.plan.file)})`,
    `- **Hosts (${review.targets.length}):** ${review.targets.map((t) => escapeMarkdown(targetText(t))).join(', ')}`,
    `- **Steps:** ${review.steps.length}`,
    `- **Risks:** ${risks.length ? risks.join('; ') : 'none'}`,
    `- **${APPROVAL_LABEL}:** ${tokenText(review.approvalToken)}`,
    '',
  ];
}

export function renderMarkdown(review: Review): string {
  const lines = [
    `# rdsplan review: ${escapeMarkdown(review.plan.name)}`,
    '',
    ...summary(review),
    '## Plan',
    '',
    ...table(
      ['Plan', markdownCode(review.plan.name)],
      [
        ['File', markdownCode(review.plan.file)],
        ['Plan sha256', markdownCode(review.plan.sha256)],
        ...(review.plan.description !== undefined ? [['Description', escapeMarkdown(review.plan.description)]] : []),
        ...changeFields(review).map(([label, value]) => [label, escapeMarkdown(value)]),
        ['Tool', escapeMarkdown(`${review.tool.name} ${review.tool.version}`)],
      ],
    ),
    ...section('Targets', table(['Target'], review.targets.map((t) => [escapeMarkdown(targetText(t))]))),
    ...section('Options', table(['Option', 'Value'], optionFields(review).map(([label, value]) => [label, markdownCode(value)]))),
    ...section(
      'Risks',
      table(
        ['Risk', 'What happens', 'Steps'],
        review.risks.map((r) => [`**\\[${RISK_LABELS[r.class]}\\]**`, riskTexts(review, r.class).map(prose).join('<br>'), codeList(r.steps)]),
      ),
    ),
    ...section(
      'Presets',
      table(
        ['Preset step', 'Preset', 'What it does', 'Expands into'],
        review.presets.map((p) => [markdownCode(p.id), markdownCode(p.action), escapeMarkdown(p.summary), codeList(p.expandsTo)]),
      ),
    ),
    ...section(`Steps (${review.steps.length})`, review.steps.flatMap(stepDetails)),
    ...section(
      'Backups taken before any change',
      table(['Step', 'Key', 'File'], review.backups.map((b) => [markdownCode(b.stepId), markdownCode(b.key), markdownCode(b.file)])),
    ),
    ...section('Privileges enabled', table(['Privilege', 'Steps'], review.privileges.map((p) => [markdownCode(p.name), codeList(p.steps)]))),
    `## Rollback (onError: ${escapeMarkdown(review.rollback.onError)})`,
    '',
    escapeMarkdown(review.rollback.summary),
    '',
    ...table(['Step', 'Rollback does'], review.rollback.steps.map((s) => [markdownCode(s.stepId), prose(s.text)])),
    ...section('Notes', review.notes.map((n) => `- ${escapeMarkdown(n)}`).concat(review.notes.length ? [''] : [])),
    ...section('Warnings', table(['Line', 'Column', 'Pointer', 'Warning'], review.warnings.map((w) => [String(w.line), String(w.column), markdownCode(w.pointer || '/'), escapeMarkdown(w.message)]))),
    ...section('Script', table(['Platform', 'sha256'], [[markdownCode(review.script.platform), markdownCode(review.script.sha256)]])),
    '## Approval',
    '',
    'Run it with `rdsplan apply <plan> --approve <token>`; the token changes with any change to the plan, the tool version or the script.',
    '',
    `${APPROVAL_LABEL}: ${tokenText(review.approvalToken)}`,
  ];
  return `${lines.join('\n')}\n`;
}
