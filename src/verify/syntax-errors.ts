/**
 * Syntax errors as tree-sitter sees them: every MISSING node, and every innermost ERROR node
 * (error recovery nests them; the innermost one is the precise position). Errors that a
 * PowerShell 7 construct explains are left to that finding.
 */
import type { Node } from 'web-tree-sitter';
import { finding, snippet, type Finding } from './findings.js';
import type { ParsedScript } from './parsed-script.js';
import type { LocatedFinding } from './ps7-only.js';
import { walk } from './tree-walk.js';

export function findSyntaxErrors(script: ParsedScript, explained: readonly LocatedFinding[]): LocatedFinding[] {
  const out: LocatedFinding[] = [];
  const isExplained = (node: Node): boolean =>
    explained.some(({ start }) => start >= node.startIndex && start < Math.max(node.endIndex, node.startIndex + 1));
  walk(script.tree.rootNode, (node) => {
    if (!node.hasError && !node.isMissing) return false;
    if (node.isMissing) {
      if (!insideExplainedError(node, isExplained)) out.push(located(node, finding('error', 'syntax-error', script.positionOf(node), `missing '${node.type}'`)));
      return false;
    }
    if (node.type === 'ERROR' && !containsError(node)) {
      if (!isExplained(node)) {
        const excerpt = snippet(script.textOf(node).trim(), 40);
        out.push(located(node, finding('error', 'syntax-error', script.positionOf(node), `cannot parse '${excerpt}'`)));
      }
      return false;
    }
    return true;
  });
  return out;
}

function containsError(node: Node): boolean {
  let found = false;
  for (const child of node.children) {
    if (!child || !child.hasError) continue;
    walk(child, (n) => {
      if (found) return false;
      if (n.type === 'ERROR') found = true;
      return n.hasError;
    });
  }
  return found;
}

function insideExplainedError(node: Node, isExplained: (node: Node) => boolean): boolean {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'ERROR' && isExplained(n)) return true;
  return false;
}

function located(node: Node, f: Finding): LocatedFinding {
  return { start: node.startIndex, end: node.endIndex, finding: f };
}
