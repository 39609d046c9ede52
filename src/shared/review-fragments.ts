/**
 * Schema pieces of the review (schemas/review.schema.json): what the normalised values look
 * like once a plan has passed, so looser than the plan schema's. Used as they are (not spread),
 * each becomes one `$defs` entry named after its export.
 */
export const sha256 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

export const stepId = { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]*$', description: 'a plan step id, or <preset step id>.<part> for an expanded step' } as const;

export const registryPath = { type: 'string', pattern: '^(?:HKLM|HKCU|HKU|HKCR)\\\\', description: 'a normalised key path such as HKLM\\SOFTWARE\\Contoso' } as const;

export const sid = { type: 'string', pattern: '^S-1-[0-9]+(?:-[0-9]+)+$' } as const;

/** The key every registry action's parameters start with. */
export const keyParameters = { path: registryPath, view: { enum: ['64', '32', 'Default'] } } as const;

/** The parameters of an action: closed, with the properties it always has required. */
export function parametersSchema(properties: Record<string, unknown>, required: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'object', ...(required.length > 0 ? { required } : {}), properties, additionalProperties: false, ...extra };
}
