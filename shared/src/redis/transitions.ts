import type { Cluster, Redis } from 'ioredis';
import { errorMessage } from '../errors';
import { RateLimitedLog, type Logger } from '../logger';

/**
 * Logs each change of a connection's state once: the first connect and every recovery at info, a lost link
 * at warn; the repeated close/reconnecting cycles of an outage only at debug, so an outage of hours writes
 * a few lines, not thousands. Socket errors (refused, reset) are rate-limited.
 */
export function logTransitions(connection: Redis | Cluster, target: string, logger: Logger): void {
  const errors = new RateLimitedLog(logger, 'warn');
  let wasReady = false;
  let lost = false;
  let attempts = 0;
  connection.on('connect', () => logger.debug('redis connected', { target }));
  connection.on('ready', () => {
    logger.info(lost ? 'redis connection restored' : 'redis ready', { target });
    wasReady = true;
    lost = false;
    attempts = 0;
  });
  connection.on('close', () => {
    // Events are emitted a tick after the status changes: `end` here means it was closed on purpose.
    const closing = connection.status === 'end';
    if (wasReady && !lost && !closing) {
      lost = true;
      logger.warn('redis connection lost', { target });
    } else {
      logger.debug('redis connection closed', { target });
    }
  });
  connection.on('reconnecting', (delayMs?: number) => {
    attempts += 1;
    const fields = { target, attempt: attempts, delay_ms: delayMs };
    if (attempts === 1) logger.info('redis reconnecting', fields);
    else logger.debug('redis reconnecting', fields);
  });
  connection.on('end', () => logger.debug('redis connection closed for good', { target }));
  connection.on('error', (error: unknown) => errors.log('redis error', { target, error: errorMessage(error) }));
}
