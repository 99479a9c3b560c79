/**
 * allowed_origins as anycable-go checks it: the host[:port] of the Origin header against each entry;
 * an entry starting with `*` matches by suffix. An empty list accepts every request.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  if (!origin) return false;
  let host: string;
  try {
    host = new URL(origin.toLowerCase()).host;
  } catch {
    return false;
  }
  return allowed.some((entry) => (entry.startsWith('*') ? host.endsWith(entry.slice(1)) : host === entry));
}
