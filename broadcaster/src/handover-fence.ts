/**
 * The markers a fan-out input carries besides publications. Every node hearing the input sees each one at the
 * same place in the input's order.
 * - A handover fence passes the positioning turn from a stopping holder to the next: the next holder sends it,
 *   and what comes before it is the old holder's to position, what comes after the new one's.
 * - A watermark is sent by the holder once per renewal. Every node counts the publications it hears after the
 *   latest one, so a publication's place (its origin, see fanout-backlog) is the same on every node.
 */
export interface HandoverFence {
  readonly from: string;
  readonly to: string;
}

export type InputMarker =
  { readonly kind: 'handover'; readonly fence: HandoverFence } | { readonly kind: 'watermark'; readonly mark: string };

const KEY = 'cableway_handover_fence';
const PREFIX = `{"${KEY}":`;

export function fenceText(fence: HandoverFence): string {
  return JSON.stringify({ [KEY]: { from: fence.from, to: fence.to } });
}

export function watermarkText(mark: string): string {
  return JSON.stringify({ [KEY]: { mark } });
}

/** A cheap test of what an input hears, before it is read as a publication. */
export function looksLikeFence(payload: string): boolean {
  return payload.startsWith(PREFIX);
}

/** The marker in `text`, or null when it is not one. */
export function readMarker(text: string): InputMarker | null {
  try {
    const value = (JSON.parse(text) as Record<string, unknown>)[KEY] as Record<string, unknown> | undefined;
    if (typeof value?.mark === 'string') return { kind: 'watermark', mark: value.mark };
    return typeof value?.from === 'string' && typeof value.to === 'string'
      ? { kind: 'handover', fence: { from: value.from, to: value.to } }
      : null;
  } catch {
    return null;
  }
}
