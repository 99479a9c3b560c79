import { PublicationError } from './errors';

/** Delivery options a publisher attaches to one message (the anycable gem's `meta`). */
export interface PublicationMeta {
  /** The `sid` of a connection that must not receive this message (Rails' `broadcast_to_others`). */
  readonly exclude_socket?: string;
  /** Becomes the `type` field of the frame sent to clients (e.g. `presence`). */
  readonly broadcast_type?: string;
  /** Not to be kept in any history (whispers, presence events). */
  readonly transient?: boolean;
}

/** Where a message sits in its stream's history: the history's epoch and its offset in it (from 1). */
export interface StreamPosition {
  readonly epoch: string;
  readonly offset: number;
}

/** One message for the subscribers of one stream. `data` is the JSON text Rails encoded. */
export interface StreamMessage {
  readonly stream: string;
  readonly data: string;
  readonly meta?: PublicationMeta;
  /** Set once a broker has recorded the message in the stream's history. */
  readonly position?: StreamPosition;
}

/** A message may be kept in a history: transient ones (whispers, presence events) never are. */
export function isRecordable(message: StreamMessage): boolean {
  return message.meta?.transient !== true;
}

/** `ActionCable.server.remote_connections.where(...).disconnect(reconnect:)` as the anycable gem sends it. */
export interface DisconnectCommand {
  readonly command: 'disconnect';
  readonly payload: { readonly identifier: string; readonly reconnect: boolean };
}

export type RemoteCommand = DisconnectCommand;

/** An element of a batch that is not a valid message: it is skipped, the others are delivered. */
export interface InvalidBatchElement {
  /** Its position in the batch, from 0. */
  readonly index: number;
  readonly reason: string;
}

/** What one broadcast input (an HTTP body, a Redis message) carries: messages in order, or a command. */
export type Publication =
  | {
      readonly kind: 'messages';
      readonly messages: readonly StreamMessage[];
      readonly invalid: readonly InvalidBatchElement[];
    }
  | { readonly kind: 'command'; readonly command: RemoteCommand };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readMeta(value: unknown): PublicationMeta | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new PublicationError('meta must be an object');
  const meta: { exclude_socket?: string; broadcast_type?: string; transient?: boolean } = {};
  if (typeof value.exclude_socket === 'string' && value.exclude_socket !== '') meta.exclude_socket = value.exclude_socket;
  if (typeof value.broadcast_type === 'string' && value.broadcast_type !== '') meta.broadcast_type = value.broadcast_type;
  if (value.transient === true) meta.transient = true;
  return meta.exclude_socket || meta.broadcast_type || meta.transient ? meta : undefined;
}

function readPosition(value: unknown): StreamPosition {
  if (
    !isObject(value) ||
    typeof value.epoch !== 'string' ||
    !Number.isSafeInteger(value.offset) ||
    (value.offset as number) < 1
  ) {
    throw new PublicationError('"position" needs a string epoch and a positive integer offset');
  }
  return { epoch: value.epoch, offset: value.offset as number };
}

function readStreamMessage(value: unknown, withPosition: boolean): StreamMessage {
  if (!isObject(value) || typeof value.stream !== 'string' || value.stream === '') {
    throw new PublicationError('a message needs a non-empty string "stream"');
  }
  if (typeof value.data !== 'string') {
    throw new PublicationError(`"data" of stream ${JSON.stringify(value.stream)} must be a JSON-encoded string`);
  }
  const meta = readMeta(value.meta);
  const message: StreamMessage = meta
    ? { stream: value.stream, data: value.data, meta }
    : { stream: value.stream, data: value.data };
  return withPosition && value.position !== undefined ? { ...message, position: readPosition(value.position) } : message;
}

function readCommand(value: JsonObject): RemoteCommand {
  if (value.command !== 'disconnect') {
    throw new PublicationError(`unknown remote command ${JSON.stringify(value.command)}`);
  }
  const payload = value.payload;
  if (!isObject(payload) || typeof payload.identifier !== 'string') {
    throw new PublicationError('the disconnect command needs payload.identifier (a string)');
  }
  return { command: 'disconnect', payload: { identifier: payload.identifier, reconnect: payload.reconnect === true } };
}

/** A batch keeps its valid elements, in order: one bad element must not cost the others their delivery. */
function readBatch(elements: readonly unknown[], read: (value: unknown) => StreamMessage): Publication {
  const messages: StreamMessage[] = [];
  const invalid: InvalidBatchElement[] = [];
  elements.forEach((element, index) => {
    try {
      messages.push(read(element));
    } catch (error) {
      if (!(error instanceof PublicationError)) throw error;
      invalid.push({ index, reason: error.message });
    }
  });
  return { kind: 'messages', messages, invalid };
}

/**
 * Reads a publication in the anycable gem's format, in the order anycable-go tries them:
 * an object with a `stream`, an array of such objects (a batch), an object with a `command`. Throws
 * PublicationError when nothing in it can be delivered; the invalid elements of a batch are listed instead.
 * `withPosition`: the input is the node-to-node pub/sub, whose messages may carry their history position
 * (from any other input a position is ignored: only the broker gives one).
 */
export function parsePublication(raw: string, withPosition = false): Publication {
  const read = (value: unknown) => readStreamMessage(value, withPosition);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new PublicationError('publication is not valid JSON');
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new PublicationError('a batch must not be empty');
    return readBatch(value, read);
  }
  if (isObject(value)) {
    if (typeof value.stream === 'string' && value.stream !== '') {
      return { kind: 'messages', messages: [read(value)], invalid: [] };
    }
    if (typeof value.command === 'string' && value.command !== '') {
      return { kind: 'command', command: readCommand(value) };
    }
  }
  throw new PublicationError('invalid publication format: expected {"stream","data"}, an array of them, or {"command"}');
}

/** The JSON the anycable gem publishes for one message; `meta` (and `position`) are left out when empty. */
export function encodeStreamMessage(message: StreamMessage): string {
  return JSON.stringify(message.meta || message.position ? message : { stream: message.stream, data: message.data });
}

export function encodeRemoteCommand(command: RemoteCommand): string {
  return JSON.stringify(command);
}
