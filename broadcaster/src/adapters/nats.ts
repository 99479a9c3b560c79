import { requireTransport } from '../context';
import { looksLikeFence } from '../handover-fence';
import { NatsSubscriber } from '../nats/subscriber';
import { startedInputLine, type AdapterContext, type BroadcastAdapter } from './adapter';

/**
 * The anycable gem's NATS broadcaster as an input: every node subscribes `--nats_channel` and delivers
 * what arrives locally; the payload is the one the redis adapter reads.
 */
export function createNatsAdapter(context: AdapterContext): BroadcastAdapter {
  const nats = requireTransport(context.nats, '--broadcast_adapter=nats', 'NATS: set --nats_servers');
  const channel = context.config.natsChannel;
  const turn = context.positioning;
  const subscriber = new NatsSubscriber({
    link: nats.link,
    ackBoundMs: context.tuning.ackBoundMs,
    logger: context.logger,
    // A handover fence is never a publication; without a positioning turn it is nobody's business here.
    onMessage: (_subject, payload) => (looksLikeFence(payload) ? turn?.fenceHeard(payload) : context.sink.accept(payload)),
  });
  const input = startedInputLine(
    () => subscriber.add(channel),
    async (fence) => nats.link.publish(channel, fence),
  );
  turn?.handOverThrough(input.line);
  return {
    summary: { adapter: 'nats', target: nats.link.target, channel },
    start: input.start,
    shutdown: () => {
      subscriber.close();
      return Promise.resolve();
    },
  };
}
