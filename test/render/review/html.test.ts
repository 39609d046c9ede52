import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { escapeHtml, renderHtml } from '../../../src/render/review/html.js';
import { revealHidden } from '../../../src/render/review/text.js';
import { hostileString, injectText } from './hostile.js';
import { ALL_ACTIONS_PLAN, CLIENT_CACHE_PLAN, GRACE_PERIOD_EXAMPLE, REBOOT_PLAN, SERVICE_PLAN, reviewOfFile, reviewOfPlan } from './plans.js';

const ENTITY = /&(amp|lt|gt|quot|#39);/g;
const DECODED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** The tags this renderer writes; anything else in the output came from plan text. */
const TAG = /<\/?(!DOCTYPE|html|head|meta|title|style|body|h1|h2|h3|div|strong|section|table|thead|tbody|tr|th|td|ul|ol|li|span|p|code|br)[\s>]/y;

function tagsOf(html: string): string[] {
  const tags: string[] = [];
  for (let i = html.indexOf('<'); i >= 0; i = html.indexOf('<', i + 1)) {
    TAG.lastIndex = i;
    const match = TAG.exec(html);
    if (!match) throw new Error(`unexpected "<" at ${i}: ${html.slice(i, i + 40)}`);
    tags.push(match[0]);
  }
  return tags;
}

describe('escapeHtml', () => {
  test('examples', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
    expect(escapeHtml('a\u202eb\u001b')).toBe('a&lt;U+202E&gt;b&lt;U+001B&gt;');
  });

  test('property: no markup character survives and every & starts one of the five entities', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const out = escapeHtml(s);
        expect(out).not.toMatch(/[<>"']/);
        expect(out.replace(ENTITY, '')).not.toContain('&');
      }),
      { numRuns: 1000 },
    );
  });

  test('property: the reader sees the text itself, hidden characters made visible', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        expect(escapeHtml(s).replace(ENTITY, (_, name: string) => DECODED[name]!)).toBe(revealHidden(s));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('html review', () => {
  const review = reviewOfFile(GRACE_PERIOD_EXAMPLE);
  const html = renderHtml(review);

  test('one self-contained page under a strict CSP', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|src=|href=|url\(|@import/i);
    expect(html).toContain('@media print');
    expect(html.endsWith('</body>\n</html>\n')).toBe(true);
  });

  test('the approval token is prominent at the top and at the end, before the sign-off', () => {
    const box = `<div class="token"><strong>Approval token</strong><code class="id">${review.approvalToken}</code></div>`;
    expect(html.indexOf(box)).toBeLessThan(html.indexOf('<h2>'));
    expect(html.lastIndexOf(box)).toBeGreaterThan(html.indexOf('<h2>Script</h2>'));
    expect(html.lastIndexOf(box)).toBeLessThan(html.indexOf('<h2>Change board sign-off</h2>'));
  });

  test('a sign-off block for the printout: approver, date, decision, signature, for this token', () => {
    const signOff = html.slice(html.indexOf('<h2>Change board sign-off</h2>'));
    expect(signOff).toContain(`applies to approval token <code class="id">${review.approvalToken}</code> only`);
    expect([...signOff.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1])).toEqual(['Change', 'Approver', 'Date', 'Decision', 'Signature']);
    expect(signOff).toContain('<span class="choice"><span class="box"></span>Approve</span><span class="choice"><span class="box"></span>Reject</span>');
    expect(signOff.endsWith('</table>\n</section>\n</body>\n</html>\n')).toBe(true);
    // A plan without a change id gets no empty Change row.
    const noChange = renderHtml({ ...review, plan: { ...review.plan, change: {} } });
    expect(noChange.slice(noChange.indexOf('<h2>Change board sign-off</h2>'))).not.toContain('<th scope="row">Change</th>');
  });

  test('prints on A4: page size and margins, no break inside a step or the sign-off, ids never wrap', () => {
    expect(html).toContain('@page { size: A4; margin: 15mm; }');
    expect(html).toMatch(/@media print \{[^]*\.step, tr, \.token, \.signoff \{ break-inside: avoid; \}/);
    expect(html).toContain('code.id { white-space: nowrap; overflow-wrap: normal; }');
    // Every step id, hash and the token is an unwrappable id (the browser test measures the layout).
    for (const value of [review.approvalToken, review.plan.sha256, review.script.sha256, ...review.steps.map((s) => s.id)]) {
      expect(html).toContain(`<code class="id">${value}</code>`);
      expect(html).not.toContain(`<code>${value}</code>`);
    }
  });

  test('well-known SIDs are named where people read them; parameters keep the plan\'s values', () => {
    expect(html).toContain('as Administrators (S-1-5-32-544) and grant FullControl to Administrators (S-1-5-32-544);');
    expect(html).toContain('&quot;owner&quot;:&quot;S-1-5-32-544&quot;');
  });

  test('sections, metadata and risk badges', () => {
    const headings = [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
    expect(headings).toEqual([
      'Plan',
      'Targets',
      'Options',
      'Risks',
      'Presets',
      'Steps (8)',
      'Backups taken before any change',
      'Privileges enabled',
      'Rollback (onError: rollback)',
      'Notes',
      'Script',
      'Change board sign-off',
    ]);
    expect(html).toContain('<tr><th scope="row">Change</th><td><span class="text">CHG0012345</span></td></tr>');
    expect(html).toContain('<tr><th scope="row">Requested by</th><td><span class="text">ops@contoso.com</span></td></tr>');
    expect(html).toContain('<span class="badge risk-severe">DESTRUCTIVE</span> <span class="text">deletes registry values</span>');
    expect(html).toContain('<span class="badge risk-ownership">OWNERSHIP/ACL</span>');
    expect(html).toContain('<span class="badge risk-severe">SERVICE RESTART</span> <span class="text">every RDP session on the host disconnects</span>');
    expect(html).toContain('<span class="handler">Handler: runs only if an earlier step changed something.</span>');
    expect(html).toContain('<h3><code class="id">grace.export</code> registry.export <span class="muted">from preset grace (rds.resetGracePeriod)</span></h3>');
    expect(html).toContain(
      '<td><code class="id">grace.export</code></td><td><code>HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod</code></td><td><code>C:\\ProgramData\\rdsplan\\backups\\&lt;run id&gt;\\grace.export.reg</code></td>',
    );
    expect(html).toContain(`<td><code class="id">${review.script.sha256}</code></td>`);
  });

  test('other plans: notes, reboot and warnings', () => {
    expect(renderHtml(reviewOfPlan('cache.json', CLIENT_CACHE_PLAN))).toContain('<h2>Notes</h2>\n<ul><li class="text">cache: Run the Remote Desktop client (mstsc.exe)');
    expect(renderHtml(reviewOfPlan('service.json', SERVICE_PLAN))).toContain('<code>rdsh02.contoso.com (port 5986, HTTPS)</code>');
    expect(renderHtml(reviewOfPlan('reboot.json', REBOOT_PLAN))).toContain('<span class="badge risk-severe">REBOOT</span> <span class="text">the host reboots</span>');
    const all = reviewOfPlan('all.json', ALL_ACTIONS_PLAN);
    expect(renderHtml(all)).toContain(`<h2>Warnings</h2>\n<table><thead><tr><th scope="col">Line</th>`);
    expect(renderHtml(all)).toContain('<span class="text">Every action once.\nSecond line of the description.</span>');
  });

  test('property: no "<" from plan text reaches the page; the markup is the same whatever the strings', () => {
    const base = reviewOfPlan('all.json', ALL_ACTIONS_PLAN);
    const baseline = renderHtml(injectText(base, 'x'));
    const expectedTags = tagsOf(baseline);
    const quotes = (html: string): number => html.split('"').length;
    fc.assert(
      fc.property(hostileString, (s) => {
        const out = renderHtml(injectText(base, s));
        expect(tagsOf(out)).toEqual(expectedTags);
        expect(quotes(out)).toBe(quotes(baseline));
      }),
      { numRuns: 300 },
    );
  });
});
