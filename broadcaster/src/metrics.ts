import type { Metrics, Tally } from '../../shared/src/metrics';
import type { HealthComponent } from './health';

/** The counters the bus moves; each is declared once per registry, here. */
export interface BroadcastCounters {
  /** Publications received through non-fan-out inputs (http, redisx); a batch or a command counts once. */
  readonly publications: { inc(): void };
  /** Publications (or elements of a batch) that could not be read or were too large to deliver, on any input. */
  readonly failedPublications: { inc(): void };
  readonly redisReconnects: { inc(): void };
  readonly natsReconnects: { inc(): void };
  readonly probeFailures: { inc(): void };
  /** Fan-out lease takeovers by how the turn came: at a stopping holder's fence, without one, or a free lease. */
  readonly fanoutTakeovers: Readonly<Record<FanoutTakeover, Tally>>;
  /** Messages positioned from a backlog: by a node that took a lapsed lease, or a holder sure of its lease again. */
  readonly fanoutRecovered: Tally;
}

/**
 * `fence`: from a holder that stopped, nothing lost; `no_fence`: from a holder that stopped, its fence not
 * heard in time; `free`: a lease nobody held, after a holder died or when the cluster started. After
 * `no_fence` and `free`, what the previous holder left is positioned from the taker's backlog.
 */
export type FanoutTakeover = 'fence' | 'no_fence' | 'free';

export function declareBroadcastCounters(metrics: Metrics): BroadcastCounters {
  return {
    publications: metrics.counter('publications_total', 'Publications received through non-fan-out broadcast inputs'),
    failedPublications: metrics.counter(
      'failed_broadcast_msg_total',
      'Publications (or batch elements) that could not be parsed, or were too large for any subscriber',
    ),
    redisReconnects: metrics.counter('redis_reconnects_total', 'Redis connections re-established after a loss'),
    natsReconnects: metrics.counter('nats_reconnects_total', 'NATS connections re-established after a loss'),
    probeFailures: metrics.counter(
      'redis_probe_failures_total',
      'Pub/sub liveness probes whose echo did not arrive in time (the link was reconnected)',
    ),
    fanoutTakeovers: metrics.counterBy(
      'fanout_takeovers_total',
      'Times this node took over positioning fan-out broadcasts, by how',
      'how',
      ['fence', 'no_fence', 'free'],
    ),
    fanoutRecovered: metrics.counter(
      'fanout_recovered_total',
      'Fan-out messages this node positioned from what it kept: after taking a lapsed lease, or once its own lease was sure again',
    ),
  };
}

export interface BroadcastGaugeSources {
  readonly subscribedStreams: () => number;
  /** Each gets a `<name>_connected` gauge; a transport that is not configured is not exported at all. */
  readonly components: readonly HealthComponent[];
}

export function declareBroadcastGauges(metrics: Metrics, sources: BroadcastGaugeSources): void {
  metrics.gauge(
    'pubsub_subscribed_streams',
    'Streams this node subscribes to on the node-to-node pub/sub',
    sources.subscribedStreams,
  );
  for (const component of sources.components) {
    metrics.gauge(`${component.name}_connected`, component.gaugeHelp, () => (component.isUp() ? 1 : 0));
  }
}
