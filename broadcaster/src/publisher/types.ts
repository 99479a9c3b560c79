import type { PublicationMeta } from '../../../shared/src/publication';

/** Sends publications to Cableway (or anycable-go) the way the anycable Ruby gem does. */
export interface Publisher {
  /** Delivers `data` (JSON text) to the subscribers of `stream` on every node. */
  broadcast(stream: string, data: string, meta?: PublicationMeta): Promise<void>;
  /** Disconnects every connection whose identifiers string equals `identifiers`, on every node. */
  disconnect(identifiers: string, reconnect: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Hands one publication in the anycable format over; rejects with a coded error when it could not. */
export interface PublicationSender {
  send(raw: string): Promise<void>;
  close(): Promise<void>;
}
