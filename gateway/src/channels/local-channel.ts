import type { Controller } from './controller';

/**
 * A channel the gateway serves itself, with no RPC call. Only subscribe and unsubscribe are local: a
 * `message` command (perform) on its subscriptions still goes to the Rails app over RPC, as in anycable-go.
 */
export type LocalChannel = Pick<Controller, 'subscribe' | 'unsubscribe'>;
