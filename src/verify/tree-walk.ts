import type { Node } from 'web-tree-sitter';

/** Pre-order walk over every node (named or not); `visit` returning false skips the subtree. */
export function walk(node: Node, visit: (node: Node) => boolean | void): void {
  if (visit(node) === false) return;
  for (const child of node.children) if (child) walk(child, visit);
}

export function hasAncestorOfType(node: Node | null, type: string): boolean {
  for (let n = node; n; n = n.parent) if (n.type === type) return true;
  return false;
}

/** Descends through nodes that only wrap one child (pipeline → … → unary_expression). */
export function unwrap(node: Node): Node {
  let n = node;
  while (n.childCount === 1 && n.type !== 'string_literal' && n.type !== 'integer_literal') n = n.child(0)!;
  return n;
}

/** The last path segment of a command name, lower-cased: `Microsoft.PowerShell.Utility\Join-String` → `join-string`. */
export function commandName(nameText: string): string {
  return nameText.slice(nameText.lastIndexOf('\\') + 1).toLowerCase();
}
