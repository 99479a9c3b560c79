import type { StreamMessage, StreamPosition } from '../../../shared/src/publication';

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

/** The data frame with the message's history position after it, in anycable-go's key order. */
function positionedFrame(
  encodedIdentifier: string,
  message: string,
  type: string | undefined,
  position: StreamPosition,
  stream: string,
): string {
  const head = type === undefined ? '{' : `{"type":${JSON.stringify(type)},`;
  return `${head}"identifier":${encodedIdentifier},"message":${message},"stream_id":${JSON.stringify(stream)},"epoch":${JSON.stringify(position.epoch)},"offset":${position.offset}}`;
}

/** Builds the frame a protocol sends for a broadcast, from the encoded identifier and the spliced message. */
export type BroadcastEncoder = (encodedIdentifier: string, payload: string, message: StreamMessage) => string;

/** actioncable-v1-json: what Action Cable itself sends. */
export const encodePlainBroadcast: BroadcastEncoder = (encodedIdentifier, payload, message) =>
  dataFrame(encodedIdentifier, payload, message.meta?.broadcast_type);

/** actioncable-v1-ext-json: positioned messages carry stream_id, epoch and offset, so the client can resume. */
export const encodeExtendedBroadcast: BroadcastEncoder = (encodedIdentifier, payload, message) =>
  message.position
    ? positionedFrame(encodedIdentifier, payload, message.meta?.broadcast_type, message.position, message.stream)
    : dataFrame(encodedIdentifier, payload, message.meta?.broadcast_type);

/** The encoder of each protocol. */
export const BROADCAST_ENCODERS = {
  'actioncable-v1-json': encodePlainBroadcast,
  'actioncable-v1-ext-json': encodeExtendedBroadcast,
} as const;
