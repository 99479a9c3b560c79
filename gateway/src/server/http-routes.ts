import type { HttpBroadcastEndpoint } from '../../../broadcaster/src/bus';
import type { Route, RouteReply } from './http-router';

export interface HealthSource {
  /** What is degraded (e.g. "redis", "nats"); empty when healthy. */
  degraded(): readonly string[];
  draining(): boolean;
}

/**
 * The health path answers 200 while the node serves clients, naming what is degraded in its body: an
 * outage of the Redis or NATS every node shares must not take every node out of the load balancer at once.
 * Only draining answers 503.
 */
export function healthRoute(path: string, health: HealthSource): Route {
  return {
    path,
    methods: null,
    maxBodySize: 0,
    handle(): RouteReply {
      if (health.draining()) return { status: 503, body: 'draining' };
      const degraded = health.degraded();
      return { status: 200, body: degraded.length === 0 ? 'Ok' : `degraded: ${degraded.join(', ')}` };
    },
  };
}

/** The broadcast endpoint as its route sees it: answered at once, or later (by the primary, from a worker). */
export interface BroadcastIntake extends Omit<HttpBroadcastEndpoint, 'handle'> {
  handle(authorization: string, body: Buffer): number | Promise<number>;
}

/**
 * POST /_broadcast: the body is read up to the endpoint's limit, then handed over whole; a single message
 * too large to deliver is refused from its declared length and first bytes, before the rest is read.
 */
export function broadcastRoute(endpoint: BroadcastIntake): Route {
  return {
    path: endpoint.path,
    methods: null,
    maxBodySize: endpoint.maxBodySize,
    refusesUnread: (length, head) => endpoint.refusesUnread(length, head),
    handle(request): RouteReply | Promise<RouteReply> {
      if (request.method !== 'POST') return { status: 422 };
      const status = endpoint.handle(request.authorization, request.body);
      return typeof status === 'number' ? { status } : status.then((later) => ({ status: later }));
    },
  };
}

/** What the Prometheus endpoint serves: a registry, or the registries of every worker of the node. */
export interface MetricsExposition {
  render(): Promise<string>;
  readonly contentType: string;
}

/** The Prometheus endpoint. */
export function metricsRoute(path: string, metrics: MetricsExposition): Route {
  return {
    path,
    methods: ['GET'],
    maxBodySize: 0,
    async handle(): Promise<RouteReply> {
      return { status: 200, body: await metrics.render(), contentType: metrics.contentType };
    },
  };
}
