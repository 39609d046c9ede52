/** Host text in a Markdown table cell: the characters that would end the cell or become markup are escaped, a line break is a space. */
export const markdownCell = (text: string): string => text.replace(/[|\\`<>]/g, (m) => `\\${m}`).replace(/\r?\n/g, ' ');
