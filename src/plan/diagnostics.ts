/** One finding about a plan, at a place in its file. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  /** JSON pointer of the offending value ('' for the document). */
  pointer: string;
  severity: 'error' | 'warning';
  /** Stable identifier for tests and machines (e.g. `schema.required`, `policy.backup`). */
  code: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.pointer || '/'}: ${d.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);
}

/** JSON pointer escaping (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}
