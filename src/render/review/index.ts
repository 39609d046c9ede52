import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import type { Review } from './model.js';
import { renderText } from './text.js';

/**
 * `rdsplan review --format`: one pure renderer per format. Whether text is coloured is the
 * caller's decision (a TTY, NO_COLOR, FORCE_COLOR), so the renderers never look at the
 * environment and the same review always gives the same bytes.
 */
export const REVIEW_FORMATS = ['text', 'markdown', 'json', 'html'] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

export interface ReviewRenderOptions {
  /** ANSI colours in the text format; ignored by the others. */
  color: boolean;
}

export function isReviewFormat(value: string): value is ReviewFormat {
  return (REVIEW_FORMATS as readonly string[]).includes(value);
}

export function renderReview(review: Review, format: ReviewFormat, options: ReviewRenderOptions = { color: false }): string {
  switch (format) {
    case 'text':
      return renderText(review, options);
    case 'markdown':
      return renderMarkdown(review);
    case 'json':
      return renderJson(review);
    case 'html':
      return renderHtml(review);
  }
}
