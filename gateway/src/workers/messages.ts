import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { RemoteCommand, StreamMessage } from '../../../shared/src/publication';

/** A worker's registry, as prom-client exports it for aggregation. */
export type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];

/** What a worker thread tells the primary. */
export type WorkerMessage =
  /** Its node is listening. */
  | { readonly type: 'ready' }
  /** The first of its subscribers of a stream appeared; answered with `subscribed` once the node hears it. */
  | { readonly type: 'subscribe'; readonly stream: string }
  | { readonly type: 'unsubscribe'; readonly stream: string }
  /** A message its clients publish (whispers, presence events), for every node. */
  | { readonly type: 'publish'; readonly message: StreamMessage }
  /** A POST /_broadcast it received on the main port, for the primary's http input. */
  | { readonly type: 'broadcast'; readonly id: number; readonly authorization: string; readonly body: Uint8Array }
  /** A scrape it received on the main port: the primary answers with the whole node's metrics. */
  | { readonly type: 'scrape'; readonly id: number }
  /** Its registry, answering `collect`. */
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: WorkerMetrics };

/** What the primary tells a worker thread. */
export type PrimaryMessage =
  | { readonly type: 'subscribed'; readonly stream: string }
  /** Messages of streams the worker serves, in delivery order. */
  | { readonly type: 'deliver'; readonly messages: readonly StreamMessage[] }
  | { readonly type: 'execute'; readonly command: RemoteCommand }
  /** The node's shared transports that are down (`redis`, `nats`), sent whenever that changes. */
  | { readonly type: 'health'; readonly degraded: readonly string[] }
  | { readonly type: 'broadcast-status'; readonly id: number; readonly status: number }
  | { readonly type: 'scrape-text'; readonly id: number; readonly text: string }
  | { readonly type: 'collect'; readonly id: number }
  /** Graceful shutdown: drain the clients, then exit. */
  | { readonly type: 'shutdown' }
  /** Close every socket at once and exit: the process is exiting now. */
  | { readonly type: 'abort' };

/** The http input's endpoint, as a worker mounts it on the main port. */
export interface WorkerIntakeShape {
  readonly port: number;
  readonly path: string;
  readonly maxBodySize: number;
}

/** What a worker thread starts with. */
export interface WorkerStart {
  readonly index: number;
  /** The node's command line and environment: the worker reads the same configuration. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Shared by every worker: one node in logs, metrics and Redis. */
  readonly nodeId: string;
  /** The port every worker listens on (the one the primary found free when the configured one was 0). */
  readonly port: number;
  readonly intake: WorkerIntakeShape | null;
  readonly degraded: readonly string[];
}
