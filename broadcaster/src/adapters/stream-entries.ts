/** One Redis Stream entry of the redisx adapter; `payload` is null when the entry has no such field. */
export interface StreamEntry {
  readonly id: string;
  readonly payload: string | null;
}

function entryOf(value: unknown): StreamEntry | null {
  if (!Array.isArray(value) || typeof value[0] !== 'string') return null;
  const fields: unknown = value[1];
  if (!Array.isArray(fields)) return { id: value[0], payload: null };
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'payload' && typeof fields[i + 1] === 'string') return { id: value[0], payload: fields[i + 1] as string };
  }
  return { id: value[0], payload: null };
}

function entriesOf(list: unknown): StreamEntry[] {
  if (!Array.isArray(list)) return [];
  return list.map(entryOf).filter((entry): entry is StreamEntry => entry !== null);
}

/** XREADGROUP on one stream answers `[[stream, [[id, [field, value, …]], …]]]`, or nil after the block. */
export function entriesOfRead(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || !Array.isArray(reply[0])) return [];
  return entriesOf((reply[0] as unknown[])[1]);
}

/** XAUTOCLAIM answers `[next-id, [[id, [field, value, …]], …], [deleted-id, …]]`. */
export function entriesOfClaim(reply: unknown): StreamEntry[] {
  return Array.isArray(reply) ? entriesOf(reply[1]) : [];
}
