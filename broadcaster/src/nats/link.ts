import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { CablewayError, ErrorCode, errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../../shared/src/logger';
import { reconnectDelay } from '../../../shared/src/redis/backoff';
import { settledWithin } from '../bounded';
import { describeNatsTarget, natsConnectionOptions, type NatsConfig } from './options';

/** A part of the bus that subscribes on the link's connection. */
export interface NatsConnectionUser {
  /** A new connection is ready: it has none of this user's subscriptions yet. */
  opened(connection: NatsConnection): void;
  /** The connection closed for good; the link opens another unless it is closing. */
  closed(): void;
}

export interface NatsLinkOptions {
  /** The client name the server shows for this connection. */
  readonly name: string;
  readonly pingIntervalMs: number;
  readonly logger: Logger;
  /** Counts the connection coming back after it was lost. */
  readonly reconnects: { inc(): void };
}

const CLOSE_BOUND_MS = 1_000;

/**
 * The node's one NATS connection, kept open for ever: until the first connection succeeds it retries with
 * capped backoff; after that the client reconnects by itself and subscribes again what it had. Should the
 * client ever give up, a new connection is opened and its users subscribe on it afresh.
 */
export class NatsLink {
  readonly target: string;
  private connection: NatsConnection | null = null;
  private up = false;
  private readonly users = new Set<NatsConnectionUser>();
  private readonly stopping = new AbortController();
  private readonly failures: RateLimitedLog;
  private readonly running: Promise<void>;

  constructor(
    private readonly config: NatsConfig,
    private readonly options: NatsLinkOptions,
  ) {
    this.target = describeNatsTarget(config);
    this.failures = new RateLimitedLog(options.logger, 'warn');
    this.running = this.keepOpen();
  }

  /** Connected to a server now (not while the client reconnects). */
  isUp(): boolean {
    return this.up;
  }

  /** `user` hears of every connection, the current one at once. */
  use(user: NatsConnectionUser): void {
    this.users.add(user);
    if (this.connection) user.opened(this.connection);
  }

  release(user: NatsConnectionUser): void {
    this.users.delete(user);
  }

  /** Publishes on the current connection; throws a coded error while there is no server to take it. */
  publish(subject: string, payload: string): void {
    if (!this.up || !this.connection) throw new CablewayError(ErrorCode.NatsFailed, 'NATS is not connected');
    try {
      this.connection.publish(subject, payload);
    } catch (error) {
      throw new CablewayError(ErrorCode.NatsFailed, errorMessage(error), { cause: error });
    }
  }

  /** Sends what was published, within a short bound, then closes. */
  async close(): Promise<void> {
    this.stopping.abort();
    const connection = this.connection;
    if (connection) {
      if (this.up) await settledWithin(connection.flush(), CLOSE_BOUND_MS);
      await settledWithin(connection.close(), CLOSE_BOUND_MS);
    }
    // A connect attempt to a server that does not answer may take its whole timeout; it closes itself after.
    await settledWithin(this.running, CLOSE_BOUND_MS);
  }

  private connectionOptions(): ConnectionOptions {
    const { config, options } = this;
    return {
      ...natsConnectionOptions(config),
      name: options.name,
      maxReconnectAttempts: -1,
      // Wrong credentials are an operator's mistake to fix while the node keeps trying, as with any outage.
      ignoreAuthErrorAbort: true,
      pingInterval: options.pingIntervalMs,
    };
  }

  private async keepOpen(): Promise<void> {
    const { signal } = this.stopping;
    let failures = 0;
    while (!signal.aborted) {
      let connection: NatsConnection;
      try {
        connection = await connect(this.connectionOptions());
      } catch (error) {
        failures += 1;
        this.failures.log('nats connection failed: retrying', { target: this.target, error: errorMessage(error) });
        await sleep(reconnectDelay(failures), undefined, { signal }).catch(() => undefined);
        continue;
      }
      failures = 0;
      if (signal.aborted) {
        await connection.close();
        return;
      }
      await this.serve(connection);
    }
  }

  /** Hands the connection to every user and follows its state until it closes. */
  private async serve(connection: NatsConnection): Promise<void> {
    this.connection = connection;
    this.up = true;
    this.options.logger.info('nats connected', { server: connection.getServer() });
    for (const user of this.users) user.opened(connection);
    void this.followStatus(connection);
    const error = await connection.closed();
    this.connection = null;
    this.up = false;
    for (const user of this.users) user.closed();
    if (!this.stopping.signal.aborted) {
      this.options.logger.error('nats connection closed: opening a new one', { error: error ? errorMessage(error) : null });
    }
  }

  private async followStatus(connection: NatsConnection): Promise<void> {
    const { logger } = this.options;
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        this.up = false;
        logger.warn('nats connection lost: reconnecting', { server: status.data });
      } else if (status.type === 'reconnect') {
        this.up = true;
        this.options.reconnects.inc();
        logger.info('nats connection restored', { server: status.data });
      } else if (status.type === 'error') {
        this.failures.log('nats error', { error: errorMessage(status.data) });
      } else if (status.type === 'ldm') {
        logger.info('nats server is entering lame duck mode: the client will move to another server', { server: status.data });
      }
    }
  }
}
