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
  create(context: AdapterContext): BroadcastAdapter;
}

export const ADAPTERS: Readonly<Record<AdapterName, AdapterKind>> = {
  http: { fanout: false, create: createHttpAdapter },
  redis: { fanout: true, create: createRedisAdapter },
  redisx: { fanout: false, create: createRedisxAdapter },
  actioncable: { fanout: true, create: createActionCableAdapter },
  nats: { fanout: true, create: createNatsAdapter },
};
