import { describe, expect, test } from '@jest/globals';
import { REVIEW_FORMATS, isReviewFormat, renderReview } from '../../../src/render/review/index.js';
import { renderHtml } from '../../../src/render/review/html.js';
import { renderJson } from '../../../src/render/review/json.js';
import { renderMarkdown } from '../../../src/render/review/markdown.js';
import { renderText } from '../../../src/render/review/text.js';
import { GRACE_PERIOD_EXAMPLE, reviewOfFile } from './plans.js';

describe('renderReview', () => {
  const review = reviewOfFile(GRACE_PERIOD_EXAMPLE);

  test('dispatches on the format; colour only affects text and is off by default', () => {
    expect(renderReview(review, 'text')).toBe(renderText(review, { color: false }));
    expect(renderReview(review, 'text', { color: true })).toBe(renderText(review, { color: true }));
    expect(renderReview(review, 'markdown', { color: true })).toBe(renderMarkdown(review));
    expect(renderReview(review, 'json', { color: true })).toBe(renderJson(review));
    expect(renderReview(review, 'html', { color: true })).toBe(renderHtml(review));
  });

  test.each(REVIEW_FORMATS)('%s: the same plan gives the same bytes', (format) => {
    expect(renderReview(reviewOfFile(GRACE_PERIOD_EXAMPLE), format)).toBe(renderReview(review, format));
  });

  test.each(['text', 'markdown'] as const)('%s: the approval token is the last line', (format) => {
    expect(renderReview(review, format).trimEnd().split('\n').at(-1)).toBe(`Approval token: ${review.approvalToken}`);
  });

  test('isReviewFormat checks --format values', () => {
    expect(REVIEW_FORMATS.every(isReviewFormat)).toBe(true);
    expect(isReviewFormat('yaml')).toBe(false);
    expect(isReviewFormat('Text')).toBe(false);
  });
});
