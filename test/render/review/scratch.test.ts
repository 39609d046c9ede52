import { test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { renderReview } from '../../../src/render/review/index.js';
import { allReviews } from './plans.js';
test('dump', () => {
  for (const [name, review] of allReviews()) {
    const slug = name.replace(/ /g, '-');
    for (const f of ['text', 'markdown', 'json', 'html'] as const) writeFileSync(`/tmp/rv/${slug}.${f}`, renderReview(review, f, { color: false }));
    writeFileSync(`/tmp/rv/${slug}.color`, renderReview(review, 'text', { color: true }));
  }
});
