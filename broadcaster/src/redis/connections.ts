import { createRedisConnection, redisClientName, type RedisConnection, type RedisRole } from '../../../shared/src/redis/connect';
import type { RedisConfig } from '../../../shared/src/redis/options';
import { describeRedisTarget } from '../../../shared/src/redis/url';
import type { Logger } from '../../../shared/src/logger';
import { settledWithin } from '../bounded';

const CLOSE_BOUND_MS = 1_000;
const SOCKET_STATES: ReadonlySet<string> = new Set(['connecting', 'connect', 'ready']);

function hasEnded(connection: RedisConnection): boolean {
  return connection.status === 'end';
}

/**
 * Every Redis connection the bus opens, so that health can look at all of them: the bus is up only while
 * each one is ready.
 */
export class RedisConnections {
  readonly target: string;
  private readonly open = new Set<RedisConnection>();

  constructor(
    private readonly config: RedisConfig,
    /** Part of each connection's client name, so an operator can tell the nodes' connections apart. */
    private readonly nodeId: string,
    private readonly logger: Logger,
    /** Counts a connection coming back after it was lost. */
    private readonly reconnects: { inc(): void },
  ) {
    this.target = describeRedisTarget(config);
  }

  /** `purpose` names the connection in log lines (`pubsub`, `redisx-read`, …) and in its client name. */
  connect(role: RedisRole, purpose: string): RedisConnection {
    const name = redisClientName('cableway', this.nodeId, purpose);
    const connection = createRedisConnection(this.config, role, this.logger.child({ link: purpose }), name);
    let wasReady = false;
    connection.on('ready', () => {
      if (wasReady) this.reconnects.inc();
      wasReady = true;
    });
    this.open.add(connection);
    return connection;
  }

  allReady(): boolean {
    for (const connection of this.open) if (connection.status !== 'ready') return false;
    return true;
  }

  /** `graceful`: let the commands already sent finish first (QUIT), within a short bound. */
  async close(connection: RedisConnection, graceful = false): Promise<void> {
    if (!this.open.delete(connection) || hasEnded(connection)) return;
    // Between reconnect attempts there is no socket, so no `end` is coming: nothing to wait for.
    const ended = SOCKET_STATES.has(connection.status)
      ? new Promise((resolve) => connection.once('end', resolve))
      : Promise.resolve();
    if (graceful && connection.status === 'ready') await settledWithin(connection.quit(), CLOSE_BOUND_MS);
    if (!hasEnded(connection)) connection.disconnect();
    await settledWithin(ended, CLOSE_BOUND_MS);
  }
}
