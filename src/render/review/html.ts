import type { RiskClass } from '../../actions/types.js';
import { nameSids } from '../../shared/names.js';
import type { Review, ReviewStep } from './model.js';
import { APPROVAL_LABEL, HANDLER_NOTE, RISK_LABELS, SEVERE_RISKS, changeFields, optionFields, presetOf, revealHidden, riskTexts, targetText } from './text.js';

/**
 * The review as one self-contained HTML page a change board opens or prints: inline CSS,
 * no script, nothing fetched, and a CSP that forbids everything but the inline style. Plan
 * text reaches the page only through escapeHtml; markup comes from this file alone. Printed on
 * A4 it is the change board's paper: ids, hashes and the token never wrap (a broken token can
 * be misread or mistyped), nothing is wider than the page, and it ends with a sign-off form.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return revealHidden(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'";

const STYLE = `
:root { color-scheme: light; --line: #d0d7de; --muted: #57606a; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .5rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 0 0 .4rem; }
code { font: .9em/1.4 ui-monospace, Consolas, monospace; overflow-wrap: anywhere; }
code.id { white-space: nowrap; overflow-wrap: normal; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
th[scope=row] { width: 9rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.token { border: 3px solid #0969da; border-radius: 6px; padding: .6rem 1rem; background: #ddf4ff; margin: 1rem 0; overflow-x: auto; }
.token strong { display: block; }
.token code { font-size: 1.05rem; font-weight: 700; }
.badge { display: inline-block; font: 700 .75rem/1.4 system-ui, sans-serif; padding: 0 .45rem; border-radius: 3px; border: 1px solid; white-space: nowrap; }
.risk-severe { background: #ffebe9; color: #a40e26; border-color: #a40e26; }
.risk-ownership, .risk-service { background: #fff8c5; color: #7d4e00; border-color: #9a6700; }
.risk-configuration { background: #ddf4ff; color: #0550ae; border-color: #0550ae; }
.risk-backup, .risk-read-only { background: #dafbe1; color: #116329; border-color: #116329; }
.handler { font-weight: 600; color: #7d4e00; }
ol.steps { padding: 0; list-style: none; }
.step { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; margin: .8rem 0; }
.step ul { margin: .2rem 0; padding-left: 1.2rem; }
.muted { color: var(--muted); }
.signoff td { height: 2.2rem; }
.signoff .signature td { height: 4rem; }
.choice { display: inline-block; margin-right: 2rem; }
.box { display: inline-block; width: .9em; height: .9em; border: 1.5px solid #1f2328; vertical-align: -.1em; margin-right: .4em; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  .step, tr, .token, .signoff { break-inside: avoid; }
  .token { overflow: visible; }
  .token code { font-size: 9pt; }
  .badge, .token { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`;

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

/** A step id, hash or token: kept on one line, since a wrapped one can be misread or mistyped. */
function id(value: string): string {
  return `<code class="id">${escapeHtml(value)}</code>`;
}

/** Wording of ours or of the plan; SIDs in it are named. */
function text(value: string): string {
  return `<span class="text">${escapeHtml(nameSids(value))}</span>`;
}

function badge(riskClass: RiskClass): string {
  const kind = SEVERE_RISKS.has(riskClass) ? 'severe' : riskClass;
  return `<span class="badge risk-${kind}">${escapeHtml(RISK_LABELS[riskClass])}</span>`;
}

function fieldTable(rows: [string, string][]): string {
  return `<table>${rows.map(([label, cell]) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${cell}</td></tr>`).join('')}</table>`;
}

function table(header: string[], rows: string[][]): string {
  const head = `<thead><tr>${header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
  return `<table>${head}<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`;
}

function section(title: string, body: string, present = true): string {
  return present ? `<section>\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>` : '';
}

function ids(items: string[]): string {
  return items.map(id).join(', ');
}

function step(s: ReviewStep): string {
  const preset = presetOf(s);
  const items = [
    ...(s.description !== undefined ? [`Description: ${text(s.description)}`] : []),
    ...(s.runWhen === 'changed' ? [`<span class="handler">Handler: ${escapeHtml(HANDLER_NOTE)}.</span>`] : []),
    ...(s.dependsOn.length ? [`After: ${ids(s.dependsOn)}`] : []),
    ...s.risks.map((r) => `${badge(r.class)} ${text(r.text)}`),
    ...(s.privileges.length ? [`Privileges: ${ids(s.privileges)}`] : []),
    `Rollback: ${s.rollback === null ? '<span class="muted">nothing to undo</span>' : text(s.rollback)}`,
    `Parameters: ${code(JSON.stringify(s.parameters))}`,
  ];
  return [
    `<li class="step" id="step-${escapeHtml(s.id)}">`,
    `<h3>${id(s.id)} ${escapeHtml(s.action)}${preset !== undefined ? ` <span class="muted">from preset ${escapeHtml(preset)}</span>` : ''}</h3>`,
    `<p>${text(s.what)}</p>`,
    `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`,
    '</li>',
  ].join('\n');
}

function tokenBox(review: Review): string {
  return `<div class="token"><strong>${escapeHtml(APPROVAL_LABEL)}</strong>${id(review.approvalToken)}</div>`;
}

/** Filled in by hand on the printout: what the board decided about exactly this token. */
function signOff(review: Review): string {
  const blank = (label: string, kind = ''): string => `<tr${kind ? ` class="${kind}"` : ''}><th scope="row">${escapeHtml(label)}</th><td></td></tr>`;
  const choice = (label: string): string => `<span class="choice"><span class="box"></span>${escapeHtml(label)}</span>`;
  return section(
    'Change board sign-off',
    [
      `<p>The decision applies to approval token ${id(review.approvalToken)} only: a changed plan, tool or script has another token and needs its own review.</p>`,
      '<table class="signoff">',
      ...(review.plan.change?.id !== undefined ? [`<tr><th scope="row">Change</th><td>${text(review.plan.change.id)}</td></tr>`] : []),
      blank('Approver'),
      blank('Date'),
      `<tr><th scope="row">Decision</th><td>${choice('Approve')}${choice('Reject')}</td></tr>`,
      blank('Signature', 'signature'),
      '</table>',
    ].join('\n'),
  );
}

export function renderHtml(review: Review): string {
  const plan = review.plan;
  const body = [
    `<h1>rdsplan review: ${code(plan.name)}</h1>`,
    tokenBox(review),
    section(
      'Plan',
      fieldTable([
        ['Name', code(plan.name)],
        ['File', code(plan.file)],
        ['Plan sha256', id(plan.sha256)],
        ...(plan.description !== undefined ? ([['Description', text(plan.description)]] as [string, string][]) : []),
        ...changeFields(review).map(([label, value]): [string, string] => [label, text(value)]),
        ['Tool', escapeHtml(`${review.tool.name} ${review.tool.version}`)],
      ]),
    ),
    section('Targets', `<ul>${review.targets.map((t) => `<li>${code(targetText(t))}</li>`).join('')}</ul>`),
    section('Options', fieldTable(optionFields(review).map(([label, value]) => [label, code(value)]))),
    section(
      'Risks',
      table(
        ['Risk', 'What happens', 'Steps'],
        review.risks.map((r) => [badge(r.class), riskTexts(review, r.class).map(text).join('<br>'), ids(r.steps)]),
      ),
      review.risks.length > 0,
    ),
    section(
      'Presets',
      table(
        ['Preset step', 'Preset', 'What it does', 'Expands into'],
        review.presets.map((p) => [id(p.id), code(p.action), text(p.summary), ids(p.expandsTo)]),
      ),
      review.presets.length > 0,
    ),
    section(`Steps (${review.steps.length})`, `<ol class="steps">\n${review.steps.map(step).join('\n')}\n</ol>`),
    section(
      'Backups taken before any change',
      table(['Step', 'Key', 'File'], review.backups.map((b) => [id(b.stepId), code(b.key), code(b.file)])),
      review.backups.length > 0,
    ),
    section('Privileges enabled', table(['Privilege', 'Steps'], review.privileges.map((p) => [id(p.name), ids(p.steps)])), review.privileges.length > 0),
    section(
      `Rollback (onError: ${review.rollback.onError})`,
      `<p class="text">${escapeHtml(review.rollback.summary)}</p>` +
        (review.rollback.steps.length ? table(['Step', 'Rollback does'], review.rollback.steps.map((s) => [id(s.stepId), text(s.text)])) : ''),
    ),
    section('Notes', `<ul>${review.notes.map((n) => `<li class="text">${escapeHtml(n)}</li>`).join('')}</ul>`, review.notes.length > 0),
    section(
      'Warnings',
      table(['Line', 'Column', 'Pointer', 'Warning'], review.warnings.map((w) => [String(w.line), String(w.column), code(w.pointer || '/'), text(w.message)])),
      review.warnings.length > 0,
    ),
    section('Script', fieldTable([['Platform', code(review.script.platform)], ['sha256', id(review.script.sha256)]])),
    tokenBox(review),
    signOff(review),
  ].filter((part) => part !== '');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>rdsplan review: ${escapeHtml(plan.name)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
