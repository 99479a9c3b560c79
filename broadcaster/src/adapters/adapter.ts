import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import type { LogFields, Logger } from '../../../shared/src/logger';
import type { HttpBroadcastEndpoint } from '../bus';
import type { BroadcastConfig } from '../options';
import type { RedisContext } from '../redis/context';
import type { PublicationSink } from '../sink';
import type { BusTuning } from '../tuning';

/** An input that listens per stream, so it follows the streams this node serves. */
export interface StreamFollower {
  /** Resolves once the input hears `stream` (or after a bound while Redis does not answer). */
  subscribe(stream: string): Promise<void>;
  unsubscribe(stream: string): void;
}

/** One broadcast input: it reads publications from Rails and hands them to its sink. */
export interface BroadcastAdapter {
  /** Fields of its startup log line: where it listens or what it subscribes. */
  readonly summary: LogFields;
  /** Resolves when the input reads (or after a bound while Redis does not answer). */
  start(): Promise<void>;
  /** Stops reading; nothing is handed to the sink once it resolves. */
  shutdown(): Promise<void>;
  readonly streams?: StreamFollower;
  /** The http adapter's endpoint, for the gateway to mount. */
  readonly endpoint?: HttpBroadcastEndpoint;
}

export interface AdapterContext {
  readonly config: BroadcastConfig;
  readonly sink: PublicationSink;
  /** `null` when no Redis is configured. */
  readonly redis: RedisContext | null;
  readonly nodeId: string;
  readonly tuning: BusTuning;
  readonly logger: Logger;
}

/** The Redis context of an adapter that cannot work without one. */
export function requireRedis(context: AdapterContext, adapter: string): RedisContext {
  if (context.redis) return context.redis;
  throw new ConfigError(ErrorCode.ConfigBadValue, `--broadcast_adapter=${adapter} needs Redis: set --redis_url`);
}
