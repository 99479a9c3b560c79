import type { LogFields } from '../../../shared/src/logger';
import type { StreamMessage } from '../../../shared/src/publication';
import type { HttpBroadcastEndpoint } from '../bus';
import { requireTransport, type BusContext } from '../context';
import type { RedisContext } from '../redis/context';

/** An input that listens per stream, so it follows the streams this node serves. */
export interface StreamFollower {
  /** Resolves once the input hears `stream` (or after a bound while the server does not answer). */
  subscribe(stream: string): Promise<void>;
  unsubscribe(stream: string): void;
}

/** One broadcast input: it reads publications from Rails and hands them to its sink. */
export interface BroadcastAdapter {
  /** Fields of its startup log line: where it listens or what it subscribes. */
  readonly summary: LogFields;
  /** Resolves when the input reads (or after a bound while the server does not answer). */
  start(): Promise<void>;
  /** Stops reading; nothing is handed to the sink once it resolves. */
  shutdown(): Promise<void>;
  readonly streams?: StreamFollower;
  /** The http adapter's endpoint, for the gateway to mount. */
  readonly endpoint?: HttpBroadcastEndpoint;
}

/** How the positioning turn of a fan-out input is handed over through the input itself (see handover-fence). */
export interface FenceLine {
  /** Starts hearing all the input carries, as the holder does; resolves once it does. */
  listen(): Promise<void>;
  /** Sends the fence through the input, where every node hearing it sees it in the same place. */
  send(fence: string): Promise<void>;
}

/**
 * The fence line of an input that every node hears once it has started (`redis`, `nats`): `start` is the
 * input's own, wrapped so that `listen` resolves once it has.
 */
export function startedInputLine(
  start: () => Promise<void>,
  send: (fence: string) => Promise<void>,
): { readonly start: () => Promise<void>; readonly line: FenceLine } {
  let started!: () => void;
  const hearing = new Promise<void>((resolve) => (started = resolve));
  return {
    start: async () => {
      await start();
      started();
    },
    line: { listen: () => hearing, send },
  };
}

/** Whether this node is the one that positions what one fan-out input brings every node (the fan-out lease). */
export interface PositioningTurn {
  readonly held: boolean;
  /** Called each time this node takes the turn or loses it. */
  onChange(listener: (held: boolean) => void): void;
  /** The input's line for handing the turn over; without one, the turn passes as the lease does. */
  handOverThrough(line: FenceLine): void;
  /** A fence or watermark the input heard, in its place among the publications. */
  fenceHeard(fence: string): void;
  /**
   * A message the input hands over: positioned when this node holds the turn, else kept, in case the node
   * that holds it dies before it has positioned it (see fanout-backlog).
   */
  deliver(message: StreamMessage): void;
}

export interface AdapterContext extends BusContext {
  /** Whether the node-to-node pub/sub carries publications now: an input that relays refuses them while not. */
  relayUp(): boolean;
  /**
   * With a broker that positions, for an input that hears every stream: its publications count only on the
   * node holding the turn (the others' are dropped), so an input may listen only there. Null otherwise.
   */
  readonly positioning: PositioningTurn | null;
}

/** The Redis context of an adapter that cannot work without one. */
export function requireRedis(context: AdapterContext, adapter: string): RedisContext {
  return requireTransport(context.redis, `--broadcast_adapter=${adapter}`, 'Redis: set --redis_url');
}
