import { errorMessage } from '../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../shared/src/logger';
import { parsePublication } from '../../shared/src/publication';
import type { DeliveryHandler } from './bus';
import type { BroadcastCounters } from './metrics';

/** Where an input hands what it reads. Every call delivers synchronously, in call order. */
export interface PublicationSink {
  /** A publication in the anycable format: a message, a batch, or a remote command. */
  accept(raw: string): void;
  /** A bare message of one stream, as Rails' own Action Cable adapter publishes it: `data` must be JSON. */
  acceptMessage(stream: string, data: string): void;
  /** Input that cannot be read as a publication at all. */
  reject(reason: string, raw?: string): void;
}

export interface SinkOptions {
  /** The input's name, for log lines. */
  readonly source: string;
  /** Local delivery for fan-out inputs; the node-to-node pub/sub for the others. */
  readonly target: DeliveryHandler;
  /** Non-fan-out inputs count what they receive in `publications_total`. */
  readonly countsPublications: boolean;
  /** The node-to-node pub/sub: its messages may carry a history position. */
  readonly readsPositions?: boolean;
  readonly counters: BroadcastCounters;
  readonly logger: Logger;
}

/** Parses, counts and routes; a malformed publication is counted and logged (rate-limited), then skipped. */
export function createPublicationSink(options: SinkOptions): PublicationSink {
  const { source, target, counters } = options;
  const invalid = new RateLimitedLog(options.logger, 'warn');
  const reject = (reason: string, raw?: string): void => {
    counters.failedPublications.inc();
    invalid.log('invalid broadcast publication', { source, error: reason, payload: raw });
  };
  return {
    accept(raw) {
      let publication;
      try {
        publication = parsePublication(raw, options.readsPositions === true);
      } catch (error) {
        reject(errorMessage(error), raw);
        return;
      }
      if (options.countsPublications) counters.publications.inc();
      if (publication.kind === 'command') target.execute(publication.command);
      else for (const message of publication.messages) target.deliver(message);
    },
    acceptMessage(stream, data) {
      try {
        JSON.parse(data);
      } catch {
        reject(`message of stream ${JSON.stringify(stream)} is not JSON`, data);
        return;
      }
      if (options.countsPublications) counters.publications.inc();
      target.deliver({ stream, data });
    },
    reject,
  };
}
