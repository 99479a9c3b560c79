import type { StreamMessage } from '../../../shared/src/publication';

/**
 * The `message` value of a data frame. Broadcast `data` is JSON text and is spliced in as it is; text that
 * is not valid JSON (or is JSON null) is sent as a JSON string, as anycable-go does.
 */
export function frameMessage(data: string): string {
  try {
    if (JSON.parse(data) !== null) return data;
  } catch {
    // not JSON: falls through to a string
  }
  return JSON.stringify(data);
}

/** `{"identifier":…,"message":…}`, with `type` first when the publication set a broadcast_type. */
export function dataFrame(encodedIdentifier: string, message: string, type?: string): string {
  const head = type === undefined ? '{' : `{"type":${JSON.stringify(type)},`;
  return `${head}"identifier":${encodedIdentifier},"message":${message}}`;
}

/** Builds the frame a protocol sends for a broadcast, from the encoded identifier and the spliced message. */
export type BroadcastEncoder = (encodedIdentifier: string, payload: string, message: StreamMessage) => string;

/** actioncable-v1-json: what Action Cable itself sends. */
export const encodePlainBroadcast: BroadcastEncoder = (encodedIdentifier, payload, message) =>
  dataFrame(encodedIdentifier, payload, message.meta?.broadcast_type);
