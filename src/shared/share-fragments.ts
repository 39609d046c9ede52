/**
 * Fragments used as they are (not spread into a variant) become `$defs` with a `$ref` at each
 * use: a schema says once what a registry path is, and ajv compiles it once, which keeps the
 * precompiled validator — and so a cold start — small. `fragments` is a module namespace: each
 * object export is a candidate, named after its export.
 */
export function shareFragments(fragments: Record<string, unknown>, schema: Record<string, unknown>): Record<string, unknown> {
  const names = new Map<unknown, string>(
    Object.entries(fragments)
      .filter(([name, value]) => name !== 'commonStepProperties' && value !== null && typeof value === 'object')
      .map(([name, value]) => [value, name]),
  );
  const used = new Map<string, unknown>();
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const name = names.get(node);
    if (name) {
      used.set(name, node);
      return { $ref: `#/$defs/${name}` };
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value)]));
  };
  const shared = walk(schema) as Record<string, unknown>;
  const defs = Object.fromEntries([...used.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => [name, walk({ ...(value as object) })]));
  // A schema's own $defs (the review's step and parameters) follow the shared ones.
  return { ...shared, $defs: { ...defs, ...(shared.$defs as Record<string, unknown> | undefined) } };
}
