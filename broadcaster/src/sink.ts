import { errorMessage } from '../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../shared/src/logger';
import { parsePublication } from '../../shared/src/publication';
import type { DeliveryHandler } from './bus';
import type { BroadcastCounters } from './metrics';

/**
 * What became of one publication: `taken` when something of it was delivered (or its command executed),
 * `oversized` when nothing was and a message was too large for any subscriber, `invalid` otherwise.
 */
export type Acceptance = 'taken' | 'oversized' | 'invalid';

/** Where an input hands what it reads. Every call delivers synchronously, in call order. */
export interface PublicationSink {
  /** A publication in the anycable format: a message, a batch, or a remote command. */
  accept(raw: string): Acceptance;
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
  /** Messages whose data is larger are refused: no subscriber could take their frame (0: no limit). */
  readonly maxMessageBytes: number;
  /** The node-to-node pub/sub: its messages may carry a history position. */
  readonly readsPositions?: boolean;
  /** Only the publication counters: a sink counts what it reads, nothing else. */
  readonly counters: Pick<BroadcastCounters, 'publications' | 'failedPublications'>;
  readonly logger: Logger;
}

/**
 * Parses, counts and routes; a malformed publication, or a malformed element of a batch, is counted and
 * logged (rate-limited), then skipped.
 */
export function createPublicationSink(options: SinkOptions): PublicationSink {
  const { source, target, counters, maxMessageBytes } = options;
  const invalid = new RateLimitedLog(options.logger, 'warn');
  const reject = (reason: string, raw?: string): void => {
    counters.failedPublications.inc();
    invalid.log('invalid broadcast publication', { source, error: reason, payload: raw });
  };
  const oversized = (stream: string, data: string): boolean => {
    if (maxMessageBytes === 0) return false;
    const bytes = Buffer.byteLength(data);
    if (bytes <= maxMessageBytes) return false;
    reject(
      `message of stream ${JSON.stringify(stream)} is ${bytes} bytes, over max_broadcast_size (${maxMessageBytes}): not delivered`,
    );
    return true;
  };
  return {
    accept(raw) {
      let publication;
      try {
        publication = parsePublication(raw, options.readsPositions === true);
      } catch (error) {
        reject(errorMessage(error), raw);
        return 'invalid';
      }
      if (options.countsPublications) counters.publications.inc();
      if (publication.kind === 'command') {
        target.execute(publication.command);
        return 'taken';
      }
      // A publication within the limit as a whole cannot hold an oversized message: no need to measure each.
      // Nor need most be encoded to be measured: UTF-8 takes at most three bytes per UTF-16 code unit.
      const measure = maxMessageBytes > 0 && raw.length * 3 > maxMessageBytes && Buffer.byteLength(raw) > maxMessageBytes;
      let delivered = 0;
      for (const message of publication.messages) {
        if (measure && oversized(message.stream, message.data)) continue;
        target.deliver(message);
        delivered += 1;
      }
      for (const { index, reason } of publication.invalid) reject(`batch element ${index} skipped: ${reason}`, raw);
      if (delivered > 0) return 'taken';
      return delivered < publication.messages.length ? 'oversized' : 'invalid';
    },
    acceptMessage(stream, data) {
      try {
        JSON.parse(data);
      } catch {
        reject(`message of stream ${JSON.stringify(stream)} is not JSON`, data);
        return;
      }
      if (options.countsPublications) counters.publications.inc();
      if (oversized(stream, data)) return;
      target.deliver({ stream, data });
    },
    reject,
  };
}
