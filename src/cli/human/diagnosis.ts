/**
 * A diagnosis in words (text) and as a Markdown report: per host what was read, then the
 * findings, each with its fix. Every line is escaped for the terminal: a host's text (a server
 * name, an error) cannot fake a line of its own.
 */
import { terminalSafe } from '../../apply/terminal-safe.js';
import { markdownCell } from './markdown-cell.js';
import { connectivityName, licensingTypeName } from '../../diagnose/codes.js';
import type { Diagnosis, HostDiagnosis } from '../../diagnose/format.js';
import type { LicensingFacts } from '../../diagnose/facts.js';

const SEVERITY: Readonly<Record<string, string>> = { error: 'ERROR', warning: 'WARNING', info: 'info' };

/** What was read, as label/value pairs. */
function factRows(f: LicensingFacts): [string, string][] {
  const servers = f.licenseServers;
  const grace = f.graceDays;
  return [
    ['licensing mode', f.licensingMode ? `${licensingTypeName(f.licensingMode.type)}, ${f.licensingMode.source === 'policy' ? 'Group Policy' : 'local'}` : 'not read'],
    ['license servers', servers ? `${servers.servers.length > 0 ? servers.servers.join(', ') : '(none)'}, ${servers.source === 'policy' ? 'Group Policy' : 'local'}` : 'not read'],
    ...f.connectivity.map((c): [string, string] => [`  ${c.server}`, c.code === null ? `not read${c.error ? `: ${c.error}` : ''}` : connectivityName(c.code)]),
    ['grace period', !grace ? 'not read' : grace.expired ? 'expired' : grace.daysLeft !== null ? `${grace.daysLeft} day(s) left` : `not read${grace.error ? `: ${grace.error}` : ''}`],
    ['TermServLicensing', f.licensingService ? `${f.licensingService.status}, ${f.licensingService.startMode}` : 'not installed'],
    ['licensing events', f.events.length === 0 ? 'none' : f.events.map((e) => `${e.id} at ${e.timeCreated}`).join(', ')],
    ['CAL packs', f.keyPacks === null ? 'no license server' : f.keyPacks.length === 0 ? '(none)' : f.keyPacks.map((p) => `${p.productVersion} ${p.type}: ${p.available} of ${p.total} available`).join('; ')],
  ];
}

const verdict = (h: HostDiagnosis): string => (h.exitCode === 0 ? 'healthy' : h.exitCode === 3 ? `${h.findings.filter((f) => f.severity !== 'info').length} finding(s)` : 'not diagnosed');

export function diagnosisText(d: Diagnosis): string {
  const blocks = d.hosts.map((h) => {
    const lines = [`${h.host}: ${verdict(h)}`];
    if (h.error !== null) return [...lines, `  error: ${h.error}`];
    const rows = factRows(h.facts!);
    const width = Math.max(...rows.map(([label]) => label.length));
    lines.push(...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`));
    if (h.findings.length > 0) lines.push('  findings:');
    for (const f of h.findings) lines.push(`    ${SEVERITY[f.severity]} ${f.code}: ${f.text}`, `      fix: ${f.fix}`);
    return lines;
  });
  return `${blocks.map((lines) => lines.map((line) => terminalSafe(line)).join('\n')).join('\n\n')}\n`;
}

const cell = markdownCell;

export function diagnosisMarkdown(d: Diagnosis): string {
  const parts = [`# Licensing diagnosis: ${cell(d.plan.name)}`, ''];
  for (const h of d.hosts) {
    parts.push(`## ${cell(h.host)}: ${verdict(h)}`, '');
    if (h.error !== null) {
      parts.push(`Not diagnosed: ${cell(h.error)}`, '');
      continue;
    }
    parts.push('| read | value |', '|---|---|', ...factRows(h.facts!).map(([label, value]) => `| ${cell(label.trim())} | ${cell(value)} |`), '');
    if (h.findings.length > 0) parts.push('| severity | finding | fix |', '|---|---|---|', ...h.findings.map((f) => `| ${SEVERITY[f.severity]} | ${cell(`${f.code}: ${f.text}`)} | ${cell(f.fix)} |`), '');
  }
  return `${parts.map((line) => terminalSafe(line)).join('\n')}`;
}
