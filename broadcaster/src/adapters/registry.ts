import type { AdapterName } from '../options';
import { createActionCableAdapter } from './actioncable';
import type { AdapterContext, BroadcastAdapter } from './adapter';
import { createHttpAdapter } from './http';
import { createNatsAdapter } from './nats';
import { createRedisAdapter } from './redis';
import { createRedisxAdapter } from './redisx';

export interface AdapterKind {
  /**
   * A fan-out input reaches every node by itself, so it delivers locally; the others reach one node,
   * which hands each publication to the node-to-node pub/sub.
   */
  readonly fanout: boolean;
  /**
   * A fan-out input that can hear every stream (one channel, or a pattern, for all), so with a broker one
   * node can position it all.
   */
  readonly hearsEveryStream: boolean;
  create(context: AdapterContext): BroadcastAdapter;
}

export const ADAPTERS: Readonly<Record<AdapterName, AdapterKind>> = {
  http: { fanout: false, hearsEveryStream: false, create: createHttpAdapter },
  redis: { fanout: true, hearsEveryStream: true, create: createRedisAdapter },
  redisx: { fanout: false, hearsEveryStream: false, create: createRedisxAdapter },
  actioncable: { fanout: true, hearsEveryStream: true, create: createActionCableAdapter },
  nats: { fanout: true, hearsEveryStream: true, create: createNatsAdapter },
};
