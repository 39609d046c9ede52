/** What `verify` reports: positions are 1-based and count UTF-16 code units, as PowerShell's parser does. */
export type Severity = 'error' | 'warning';

export type FindingCode =
  | 'header-missing'
  | 'tampered'
  | 'syntax-error'
  | 'syntax-unconfirmed'
  | 'ps7-only'
  | 'ps51-pitfall'
  | 'encoding'
  | 'steps-missing'
  | 'unexpected-statement'
  | 'non-literal-argument'
  | 'malformed-literal'
  | 'literal-missing'
  | 'parser-disagreement'
  | 'parser-unavailable';

export interface Finding {
  severity: Severity;
  line: number;
  column: number;
  code: FindingCode;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  fileName?: string;
  findings: Finding[];
  /** Which parsers looked at the script: tree-sitter always, PowerShell's own when one was found. */
  parsers: { treeSitter: true; powershell: { path: string; source: string } | null };
}

export interface Position {
  line: number;
  column: number;
}

/** Maps UTF-16 offsets to lines and columns; CR, LF and CRLF each end a line, as for PowerShell. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  position(offset: number): Position {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.starts[low]! + 1 };
  }
}

/** A short, single-line, printable excerpt of source text for a message. */
export function snippet(text: string, max = 60): string {
  const oneLine = text.replace(/\r\n|\r|\n/g, '⏎');
  const printable = oneLine.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return printable.length > max ? `${printable.slice(0, max - 1)}…` : printable;
}

export function finding(severity: Severity, code: FindingCode, at: Position, message: string): Finding {
  return { severity, line: at.line, column: at.column, code, message };
}
