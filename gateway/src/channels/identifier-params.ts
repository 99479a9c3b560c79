/** The params of a subscription identifier (`{"channel":"ChatChannel",...}`). */
export type IdentifierParams = Readonly<Record<string, unknown>>;

/** The identifier's params, or null when it is not a JSON object. Never throws: identifiers are client input. */
export function identifierParams(identifier: string): IdentifierParams | null {
  let params: unknown;
  try {
    params = JSON.parse(identifier);
  } catch {
    return null;
  }
  return typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as IdentifierParams) : null;
}
