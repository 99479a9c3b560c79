import type { BroadcastBus } from '../../../broadcaster/src/bus';
import type { Broker } from '../broker/broker';
import type { GatewayConfig } from '../config/config';
import type { Apps } from '../server/apps';
import {
  broadcastRoute,
  healthRoute,
  metricsRoute,
  type BroadcastIntake,
  type HealthSource,
  type MetricsExposition,
} from '../server/http-routes';

/** The HTTP endpoints of a node, beside its WebSockets. */
export interface NodeEndpoints {
  readonly intake: BroadcastIntake | null;
  readonly exposition: MetricsExposition;
  readonly health: HealthSource;
}

/** Mounts the endpoints on the addresses the configuration gives them; every address answers health. */
export function mountEndpoints(apps: Apps, config: GatewayConfig, endpoints: NodeEndpoints): void {
  const { intake, exposition } = endpoints;
  if (intake) apps.routesFor(config.server.host, intake.port).add(broadcastRoute(intake));
  if (config.metrics.path) {
    apps.routesFor(config.metrics.host, config.metrics.port).add(metricsRoute(config.metrics.path, exposition));
  }
  // Every port answers health, so a checker that speaks only HTTP/1.0 can use a port uWS does not serve.
  const health = healthRoute(config.server.healthPath, endpoints.health);
  for (const routes of apps.allRoutes()) routes.add(health);
}

/** What is down among the transports the node shares with the cluster; the broker's Redis counts as Redis. */
export function degradedTransports(bus: BroadcastBus, broker: Broker | null): string[] {
  const down = bus.health().degraded;
  return broker?.connected() === false && !down.includes('redis') ? [...down, 'redis'] : [...down];
}
