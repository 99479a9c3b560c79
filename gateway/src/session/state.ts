import type { StateMap } from '../core/controller';

/**
 * Applies a state change set from the RPC server: an empty value deletes its key. Returns the new state,
 * or null when nothing is left (so idle sessions keep no empty objects).
 */
export function mergeState(current: StateMap | null, changes: StateMap | undefined): StateMap | null {
  if (!changes) return current;
  const keys = Object.keys(changes);
  if (keys.length === 0) return current;
  const next: Record<string, string> = { ...current };
  for (const key of keys) {
    const value = changes[key]!;
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return Object.keys(next).length > 0 ? next : null;
}

export const NO_STATE: StateMap = Object.freeze({});
