import { createHash } from 'node:crypto';

/**
 * Hashes that bind an approval to exactly one plan, tool version and script.
 *
 * The script body is hashed with line ends normalised to LF and without a BOM, so a checkout
 * that converts CRLF (git autocrlf, a copy through a share) does not look like tampering,
 * while any change to the text itself does.
 */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Canonical JSON: object keys sorted by code unit, no whitespace; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

export function planSha256(planDocument: unknown): string {
  return sha256Hex(canonicalJson(planDocument));
}

export function normaliseBody(body: string): string {
  return body.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

export function scriptSha256(body: string): string {
  return sha256Hex(normaliseBody(body));
}

/** `sha256:` + sha256 of the approval domain tag, the plan's sha256, the tool version and the body. */
export function approvalToken(planHash: string, toolVersion: string, body: string): string {
  return `sha256:${sha256Hex(`rdsplan-approval/v1\n${planHash}\n${toolVersion}\n${normaliseBody(body)}`)}`;
}
