import { timingSafeEqual } from 'node:crypto';
import type { HttpBroadcastEndpoint } from '../bus';
import type { AdapterContext, BroadcastAdapter } from './adapter';

/** Bodies larger than this are refused with 413 before they are read, when no broadcast size limit is set. */
export const MAX_HTTP_BROADCAST_BYTES = 16 * 1024 * 1024;

function sameText(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given, 'utf8');
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/**
 * POST /_broadcast, as anycable-go answers it: 401 without the exact `Bearer` key, 422 for an empty body,
 * 413 for a body over the broadcast size limit (no subscriber could take it), 201 otherwise — an unparseable body too, which is only counted and logged. While the Redis link that
 * carries publications to the other nodes is down, 503: the publisher learns the message was not taken,
 * instead of a 201 for a message Redis will never carry.
 */
export function createHttpAdapter(context: AdapterContext): BroadcastAdapter {
  const { port, path, key } = context.config.http;
  const { maxMessageBytes } = context.config;
  const expected = key === null ? null : Buffer.from(`Bearer ${key}`, 'utf8');
  const relay = context.config.pubsub === 'redis' ? context.redis?.commands : undefined;
  const endpoint: HttpBroadcastEndpoint = {
    port,
    path,
    maxBodySize: maxMessageBytes > 0 ? maxMessageBytes : MAX_HTTP_BROADCAST_BYTES,
    handle(authorization, body) {
      if (expected !== null && !sameText(authorization, expected)) return 401;
      if (body.length === 0) return 422;
      if (relay && relay.status !== 'ready') return 503;
      context.sink.accept(body.toString('utf8'));
      return 201;
    },
  };
  return {
    summary: { adapter: 'http', port, path, authorization: key === null ? 'none' : 'bearer key' },
    start: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
    endpoint,
  };
}
