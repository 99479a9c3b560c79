import type { StreamMessage } from '../../../shared/src/publication';
import type { StreamListener } from '../hub/hub';
import type { PrimaryMessage } from './messages';

/** A worker as the routing sees it. */
export interface RoutedWorker {
  /** The streams it serves, kept by the routing. */
  readonly streams: Set<string>;
  post(message: PrimaryMessage): void;
  deliver(message: StreamMessage): void;
}

/** The workers serving one stream, and when the node hears it. */
interface ServedStream {
  readonly workers: Set<RoutedWorker>;
  readonly listening: Promise<void>;
}

/**
 * Which workers serve which streams: the node listens to a stream while any worker serves it, and each
 * message goes to the workers serving its stream only.
 */
export class StreamRouting {
  private readonly served = new Map<string, ServedStream>();

  constructor(private readonly listener: StreamListener) {}

  /** Answers the worker with `subscribed` once the node hears the stream. */
  subscribe(worker: RoutedWorker, stream: string): void {
    worker.streams.add(stream);
    let served = this.served.get(stream);
    if (!served) {
      served = { workers: new Set(), listening: this.listener.subscribe(stream) };
      this.served.set(stream, served);
    }
    served.workers.add(worker);
    void served.listening.then(() => worker.post({ type: 'subscribed', stream }));
  }

  unsubscribe(worker: RoutedWorker, stream: string): void {
    worker.streams.delete(stream);
    const served = this.served.get(stream);
    if (!served?.workers.delete(worker) || served.workers.size > 0) return;
    this.served.delete(stream);
    this.listener.unsubscribe(stream);
  }

  /** A worker that exited serves nothing any more. */
  forget(worker: RoutedWorker): void {
    for (const stream of [...worker.streams]) this.unsubscribe(worker, stream);
  }

  deliver(message: StreamMessage): void {
    const served = this.served.get(message.stream);
    if (served) for (const worker of served.workers) worker.deliver(message);
  }
}
