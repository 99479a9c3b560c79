import type { Worker } from 'node:worker_threads';
import type { StreamMessage } from '../../../shared/src/publication';
import type { PrimaryMessage } from './messages';

/** One worker thread as the primary sees it. */
export class WorkerHandle {
  /** The streams it serves. */
  readonly streams = new Set<string>();
  /** Its node listens. */
  ready = false;
  /** Messages delivered in this turn of the event loop, posted together. */
  private outbox: StreamMessage[] | null = null;

  constructor(
    readonly index: number,
    readonly thread: Worker,
  ) {}

  post(message: PrimaryMessage): void {
    this.thread.postMessage(message);
  }

  /** Queues a message for the worker; what one turn delivers (a batch) leaves in one post. */
  deliver(message: StreamMessage): void {
    if (this.outbox) {
      this.outbox.push(message);
      return;
    }
    const outbox = (this.outbox = [message]);
    queueMicrotask(() => {
      this.outbox = null;
      this.post({ type: 'deliver', messages: outbox });
    });
  }
}
