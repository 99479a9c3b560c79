import { requireTransport } from '../context';
import { NatsSubscriber } from '../nats/subscriber';
import type { AdapterContext, BroadcastAdapter } from './adapter';

/**
 * The anycable gem's NATS broadcaster as an input: every node subscribes `--nats_channel` and delivers
 * what arrives locally; the payload is the one the redis adapter reads.
 */
export function createNatsAdapter(context: AdapterContext): BroadcastAdapter {
  const nats = requireTransport(context.nats, '--broadcast_adapter=nats', 'NATS: set --nats_servers');
  const channel = context.config.natsChannel;
  const subscriber = new NatsSubscriber({
    link: nats.link,
    ackBoundMs: context.tuning.ackBoundMs,
    logger: context.logger,
    onMessage: (_subject, payload) => context.sink.accept(payload),
  });
  return {
    summary: { adapter: 'nats', target: nats.link.target, channel },
    start: () => subscriber.add(channel),
    shutdown: () => {
      subscriber.close();
      return Promise.resolve();
    },
  };
}
