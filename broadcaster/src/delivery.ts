import { errorMessage } from '../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../shared/src/logger';
import type { RemoteCommand, StreamMessage } from '../../shared/src/publication';
import type { DeliveryHandler } from './bus';

/**
 * The node's own handler, as every input sees it: it is attached when the bus starts, and a handler that
 * throws is logged without breaking the input that called it (a Redis message loop, a redisx batch).
 */
export class LocalDelivery implements DeliveryHandler {
  private handler: DeliveryHandler | null = null;
  private readonly failures: RateLimitedLog;

  constructor(logger: Logger) {
    this.failures = new RateLimitedLog(logger, 'error');
  }

  attach(handler: DeliveryHandler): void {
    this.handler = handler;
  }

  deliver(message: StreamMessage): void {
    try {
      this.handler?.deliver(message);
    } catch (error) {
      this.failures.log('delivering a broadcast failed', { stream: message.stream, error: errorMessage(error) });
    }
  }

  execute(command: RemoteCommand): void {
    try {
      this.handler?.execute(command);
    } catch (error) {
      this.failures.log('executing a remote command failed', { command: command.command, error: errorMessage(error) });
    }
  }
}
