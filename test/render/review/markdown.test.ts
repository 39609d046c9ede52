import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { escapeMarkdown, markdownCode, renderMarkdown } from '../../../src/render/review/markdown.js';
import { revealHidden } from '../../../src/render/review/text.js';
import { hostileString, injectText } from './hostile.js';
import { CLIENT_CACHE_PLAN, GRACE_PERIOD_EXAMPLE, REBOOT_PLAN, SERVICE_PLAN, ALL_ACTIONS_PLAN, reviewOfFile, reviewOfPlan } from './plans.js';

const PUNCTUATION = /[!-/:-@[-`{-~]/;

/** What CommonMark shows for escaped text: backslash escapes resolved, our `<br>` a line break. */
function shownText(markdown: string): string {
  let out = '';
  for (let i = 0; i < markdown.length; i++) {
    if (markdown.startsWith('<br>', i)) {
      out += '\n';
      i += 3;
    } else if (markdown[i] === '\\' && i + 1 < markdown.length && PUNCTUATION.test(markdown[i + 1]!)) {
      out += markdown[++i];
    } else {
      out += markdown[i];
    }
  }
  return out;
}

/** Where a GitHub table row splits into cells: at every pipe without a backslash before it (cmark-gfm's rule). */
function cellSeparators(line: string): number {
  let count = 0;
  for (let i = 0; i < line.length; i++) if (line[i] === '|' && line[i - 1] !== '\\') count++;
  return count;
}

/** What GitHub shows for one of our code spans inside a table cell. */
function shownCode(span: string): string {
  const match = /^(`+)([^]*)\1$/.exec(span);
  if (!match) throw new Error(`not a code span: ${span}`);
  const [, fence, raw] = match as unknown as [string, string, string];
  // The closing fence must be the first backtick run of the fence's length.
  expect((raw.match(/`+/g) ?? []).every((run) => run.length !== fence.length)).toBe(true);
  const inner = raw.replace(/\\\|/g, '|');
  return /^ [^]* $/.test(inner) && !/^ +$/.test(inner) ? inner.slice(1, -1) : inner;
}

describe('escapeMarkdown', () => {
  test('examples', () => {
    expect(escapeMarkdown('a|b')).toBe('a\\|b');
    expect(escapeMarkdown('<img src=x onerror=alert(1)>')).toBe('\\<img src\\=x onerror\\=alert\\(1\\)\\>');
    expect(escapeMarkdown('**bold** _it_ [link](http://x) `code`')).toBe('\\*\\*bold\\*\\* \\_it\\_ \\[link\\]\\(http\\:\\/\\/x\\) \\`code\\`');
    expect(escapeMarkdown('line 1\nline 2\r\nline 3\rline 4')).toBe('line 1<br>line 2<br>line 3\\<U\\+000D\\>line 4');
    expect(escapeMarkdown('&amp; C:\\Temp')).toBe('\\&amp\\; C\\:\\\\Temp');
    expect(escapeMarkdown('\u202eevil')).toBe('\\<U\\+202E\\>evil');
  });

  test('property: no unescaped punctuation except our own <br>, so no markup, HTML or table cell can form', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const out = escapeMarkdown(s).replace(/<br>/g, '');
        expect(out).not.toMatch(/[\r\n]/);
        for (let i = 0; i < out.length; i++) {
          if (out[i] === '\\') i++;
          else expect(out[i]).not.toMatch(PUNCTUATION);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('property: a table row keeps its cells', () => {
    fc.assert(
      fc.property(hostileString, hostileString, (a, b) => {
        expect(cellSeparators(`| ${escapeMarkdown(a)} | ${escapeMarkdown(b)} |`)).toBe(3);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: the reader sees the text itself, hidden characters made visible', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        expect(shownText(escapeMarkdown(s))).toBe(revealHidden(s));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('markdownCode', () => {
  test('examples', () => {
    expect(markdownCode('HKLM\\SOFTWARE')).toBe('`HKLM\\SOFTWARE`');
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`x`')).toBe('`` `x` ``');
    expect(markdownCode('a|b')).toBe('`a\\|b`');
    expect(markdownCode(' ')).toBe('` `');
    expect(markdownCode('')).toBe('*(empty)*');
    expect(markdownCode('a\nb')).toBe('`a\u2424b`');
  });

  test('property: one code span on one line that keeps the table row whole', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const out = markdownCode(s);
        expect(out).not.toMatch(/[\r\n]/);
        expect(cellSeparators(`| ${out} | x |`)).toBe(3);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: the span shows exactly the text (line breaks as U+2424)', () => {
    fc.assert(
      fc.property(
        hostileString.filter((s) => s !== ''),
        (s) => {
          expect(shownCode(markdownCode(s))).toBe(revealHidden(s).replace(/\n/g, '\u2424'));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('markdown review', () => {
  const review = reviewOfFile(GRACE_PERIOD_EXAMPLE);
  const md = renderMarkdown(review);

  test('opens with a summary: plan, hosts, step count, risk classes and the token', () => {
    const opening = [
        '# rdsplan review: reset\\-grace\\-period\\-rdsh01',
        '',
        `- **Plan:** reset\\-grace\\-period\\-rdsh01 (${review.plan.file.replace(/[/.-]/g, '\\$&')})`,
        '- **Hosts (1):** localhost',
        '- **Steps:** 8',
        '- **Risks:** **\\[SERVICE RESTART\\]** grace\\.restart; **\\[DESTRUCTIVE\\]** grace\\.delete; **\\[OWNERSHIP/ACL\\]** grace\\.own, grace\\.restore; **\\[BACKUP\\]** grace\\.export; **\\[READ-ONLY\\]** grace\\.restart\\.sessions, grace\\.due, grace\\.days',
        `- **Approval token:** ${review.approvalToken}`,
        '',
        '## Plan',
        '',
      ].join('\n');
    expect(md.slice(0, opening.length)).toBe(opening);
    const fleet = renderMarkdown(reviewOfPlan('fleet.json', { ...SERVICE_PLAN, targets: ['rdsh01', { computerName: 'rdsh02', port: 5986, useSSL: true }] }));
    expect(fleet).toContain('\n- **Hosts (2):** rdsh01, rdsh02 \\(port 5986\\, HTTPS\\)\n');
  });

  test('metadata table with the change fields', () => {
    expect(md).toContain('## Plan\n\n| Plan | `reset-grace-period-rdsh01` |\n| --- | --- |\n');
    expect(md).toContain('| Change | CHG0012345 |\n');
    expect(md).toContain('| Requested by | ops\\@contoso\\.com |\n');
  });

  test('each section is there', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Plan',
      '## Targets',
      '## Options',
      '## Risks',
      '## Presets',
      '## Steps (8)',
      '## Backups taken before any change',
      '## Privileges enabled',
      '## Rollback (onError: rollback)',
      '## Notes',
      '## Script',
      '## Approval',
    ]);
  });

  test('risks, presets, steps, backups and privileges', () => {
    expect(md).toContain('| **\\[SERVICE RESTART\\]** | TermService restarts<br>every RDP session on the host disconnects | `grace.restart` |\n');
    expect(md).toContain('| `grace` | `rds.resetGracePeriod` | Reset the RD Session Host');
    expect(md).toContain('| `grace.restart.sessions`, `grace.due`, `grace.export`, `grace.own`, `grace.delete`, `grace.restore`, `grace.restart`, `grace.days` |\n');
    expect(md).toContain('<details>\n<summary>7. <code>grace.restart</code> service.restart: SERVICE RESTART</summary>\n\n| Step | `grace.restart` |\n');
    // Each step folded on its own: GitHub parses the table only with blank lines around it.
    expect(md.match(/^<details>\n<summary>[^\n]*<\/summary>\n\n\| Step \|[^]*?\n\n<\/details>\n$/gm)).toHaveLength(8);
    expect(md).not.toMatch(/^### /m);
    expect(md).toContain('| Handler | **runs only if an earlier step changed something** |\n');
    expect(md).toContain('| Risk | **\\[DESTRUCTIVE\\]** deletes registry values |\n');
    expect(md).toContain('as Administrators \\(S\\-1\\-5\\-32\\-544\\) and grant FullControl to Administrators \\(S\\-1\\-5\\-32\\-544\\)');
    expect(md).toContain('| `grace.export` | `HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod` | `C:\\ProgramData\\rdsplan\\backups\\<run id>\\grace.export.reg` |\n');
    expect(md).toContain('| `SeTakeOwnershipPrivilege` | `grace.own`, `grace.restore` |\n');
    expect(md).toContain(`| \`windows\` | \`${review.script.sha256}\` |\n`);
  });

  test('the approval token is the last line', () => {
    expect(md.endsWith(`\nApproval token: ${review.approvalToken}\n`)).toBe(true);
  });

  test('other plans: notes, disconnect warning, reboot, warnings', () => {
    expect(renderMarkdown(reviewOfPlan('cache.json', CLIENT_CACHE_PLAN))).toContain('## Notes\n\n- cache\\: Run the Remote Desktop client \\(mstsc\\.exe\\) once');
    expect(renderMarkdown(reviewOfPlan('service.json', SERVICE_PLAN))).toContain(
      '| Risk | **\\[SERVICE RESTART\\]** TermService restarts<br>**\\[SERVICE RESTART\\]** every RDP session on the host disconnects |',
    );
    expect(renderMarkdown(reviewOfPlan('reboot.json', REBOOT_PLAN))).toContain('| **\\[REBOOT\\]** | the host reboots | `reboot` |');
    const all = reviewOfPlan('all.json', ALL_ACTIONS_PLAN);
    const [warning] = all.warnings;
    expect(renderMarkdown(all)).toContain(`## Warnings\n\n| Line | Column | Pointer | Warning |\n| --- | --- | --- | --- |\n| ${warning!.line} | ${warning!.column} | \`/steps/4\` |`);
  });

  test('property: plan strings change no line and no table cell of the document', () => {
    const base = reviewOfPlan('all.json', ALL_ACTIONS_PLAN);
    const shape = (md: string): number[] => md.split('\n').map(cellSeparators);
    const expected = shape(renderMarkdown(injectText(base, 'x')));
    fc.assert(
      fc.property(hostileString, (s) => {
        const out = renderMarkdown(injectText(base, s));
        expect(shape(out)).toEqual(expected);
        // A <summary> line is raw HTML: only our own tags.
        for (const line of out.split('\n').filter((l) => l.startsWith('<summary>'))) {
          expect(line.replace(/<\/?(summary|code)>|<br>/g, '')).not.toMatch(/[<>]/);
          expect(line.endsWith('</summary>')).toBe(true);
        }
        expect(out.trimEnd().split('\n').at(-1)).toBe(`Approval token: ${base.approvalToken}`);
      }),
      { numRuns: 300 },
    );
  });
});
