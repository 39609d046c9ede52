import type { Node } from 'web-tree-sitter';

/**
 * Pre-order visit of the nodes of the given types, with a cursor: materialising every node
 * (as `walk` does) costs ~10x more than the parse itself on a 1,000-line script. `visit`
 * returning false skips the node's subtree.
 */
export function visitTypes(root: Node, types: ReadonlySet<string>, visit: (node: Node) => boolean | void): void {
  const cursor = root.walk();
  try {
    for (;;) {
      const descend = !types.has(cursor.nodeType) || visit(cursor.currentNode) !== false;
      if (descend && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Pre-order walk over every node (named or not); `visit` returning false skips the subtree. For small subtrees. */
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

/** The outermost node below a statement list (or the root): the statement a node belongs to. */
export function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'statement_list' && n.parent.type !== 'program') n = n.parent;
  return n;
}
