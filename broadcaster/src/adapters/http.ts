import { timingSafeEqual } from 'node:crypto';
import type { HttpBroadcastEndpoint } from '../bus';
import type { AdapterContext, BroadcastAdapter } from './adapter';

/** Bodies larger than this are refused with 413 before they are read. */
export const MAX_HTTP_BROADCAST_BYTES = 16 * 1024 * 1024;

const BATCH_START = '['.charCodeAt(0);
const WHITESPACE = new Set([' ', '\t', '\r', '\n'].map((char) => char.charCodeAt(0)));

/** Whether a body beginning with `head` is a batch; `null` while only whitespace has been seen. */
function isBatch(head: Buffer): boolean | null {
  const first = head.find((byte) => !WHITESPACE.has(byte));
  return first === undefined ? null : first === BATCH_START;
}

function sameText(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given, 'utf8');
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/**
 * POST /_broadcast, as anycable-go answers it: 401 without the exact `Bearer` key, 422 for an empty body,
 * 201 otherwise — an unparseable body too, which is only counted and logged. Two answers of its own: 413
 * for a message no subscriber could take (over max_broadcast_size), before reading it when its length is
 * declared, so that it is never fanned out; and 503 while the pub/sub link that carries publications to the
 * other nodes is down, so that the publisher learns the message was not taken.
 */
export function createHttpAdapter(context: AdapterContext): BroadcastAdapter {
  const { port, path, key } = context.config.http;
  const { maxMessageBytes } = context.config;
  const expected = key === null ? null : Buffer.from(`Bearer ${key}`, 'utf8');
  const endpoint: HttpBroadcastEndpoint = {
    port,
    path,
    maxBodySize: MAX_HTTP_BROADCAST_BYTES,
    refusesUnread(length, head) {
      return maxMessageBytes > 0 && length > maxMessageBytes && isBatch(head) === false;
    },
    handle(authorization, body) {
      if (expected !== null && !sameText(authorization, expected)) return 401;
      if (body.length === 0) return 422;
      if (!context.relayUp()) return 503;
      return context.sink.accept(body.toString('utf8')) === 'oversized' ? 413 : 201;
    },
  };
  return {
    summary: { adapter: 'http', port, path, authorization: key === null ? 'none' : 'bearer key' },
    start: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
    endpoint,
  };
}
