/**
 * Syntax errors as tree-sitter sees them: every MISSING node, and every innermost ERROR node
 * (error recovery nests them; the innermost one is the precise position). Errors in a
 * statement that holds a PowerShell 7 construct are left to that finding: after `??` the
 * grammar's recovery misreads the rest of the statement (`'none'\n Write-Host` becomes
 * loose tokens), and those cascades say nothing new.
 */
import type { Node } from 'web-tree-sitter';
import { finding, snippet, type Finding } from './findings.js';
import type { ParsedScript } from './parsed-script.js';
import type { LocatedFinding } from './ps7-only.js';
import { statementOf, walk } from './tree-walk.js';

export function findSyntaxErrors(script: ParsedScript, explained: readonly LocatedFinding[]): LocatedFinding[] {
  const out: LocatedFinding[] = [];
  const isExplained = (node: Node): boolean => {
    const statement = statementOf(node);
    return explained.some(({ start }) => start >= statement.startIndex && start < Math.max(statement.endIndex, statement.startIndex + 1));
  };
  walk(script.tree.rootNode, (node) => {
    if (!node.hasError && !node.isMissing) return false;
    if (node.isMissing) {
      if (!isExplained(node)) {
        const line = script.text.slice(Math.max(0, node.startIndex - 200), node.startIndex).split(/\r\n|\r|\n/).pop()!.trim();
        const before = line.length > 30 ? `…${snippet(line.slice(-29), 30)}` : snippet(line, 30);
        out.push(located(node, finding('error', 'syntax-error', script.positionOf(node), `missing '${node.type}'${before ? ` after '${before}'` : ''}`)));
      }
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

function located(node: Node, f: Finding): LocatedFinding {
  return { start: node.startIndex, end: node.endIndex, finding: f };
}
