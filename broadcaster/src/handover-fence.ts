/**
 * The marker at which the fan-out positioning turn passes from a stopping holder to the next: the next
 * holder sends it through each fan-out input, and every node hearing that input sees it at the same place
 * in the input's order. What comes before it is the old holder's to position, what comes after the new one's.
 */
export interface HandoverFence {
  readonly from: string;
  readonly to: string;
}

const KEY = 'cableway_handover_fence';
const PREFIX = `{"${KEY}":`;

export function fenceText(fence: HandoverFence): string {
  return JSON.stringify({ [KEY]: { from: fence.from, to: fence.to } });
}

/** A cheap test of what an input hears, before it is read as a publication. */
export function looksLikeFence(payload: string): boolean {
  return payload.startsWith(PREFIX);
}

/** The fence in `text`, or null when it is not one. */
export function readFence(text: string): HandoverFence | null {
  try {
    const value = (JSON.parse(text) as Record<string, unknown>)[KEY] as Record<string, unknown> | undefined;
    return typeof value?.from === 'string' && typeof value.to === 'string' ? { from: value.from, to: value.to } : null;
  } catch {
    return null;
  }
}
