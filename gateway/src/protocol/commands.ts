import { CommandError } from '../../../shared/src/errors';
import type { StreamPosition } from '../../../shared/src/publication';

/** What an extended-protocol client asks to catch up on: per-stream positions, else messages since a time. */
export interface HistoryRequest {
  /** Unix seconds; 0 when not given. */
  readonly since: number;
  /** The last position the client saw, by stream name. */
  readonly streams: Readonly<Record<string, StreamPosition>>;
}

/** What a client says of itself when it joins a stream's presence. */
export interface PresenceJoin {
  readonly id: string;
  /** JSON text of what the client sent as `info`; absent when it sent none. */
  readonly info?: string;
}

/** Client commands of the Action Cable protocol (and its extended version), as decoded from one text frame. */
export type ClientCommand =
  | {
      readonly command: 'subscribe';
      readonly identifier: string;
      readonly history: HistoryRequest | null;
      readonly presence: PresenceJoin | null;
    }
  | { readonly command: 'unsubscribe'; readonly identifier: string }
  | { readonly command: 'history'; readonly identifier: string; readonly history: HistoryRequest | null }
  | { readonly command: 'join'; readonly identifier: string; readonly presence: PresenceJoin }
  | { readonly command: 'leave'; readonly identifier: string }
  | { readonly command: 'presence'; readonly identifier: string }
  | { readonly command: 'message'; readonly identifier: string; readonly data: string }
  | { readonly command: 'whisper'; readonly identifier: string; readonly data: unknown }
  | { readonly command: 'ping' }
  | { readonly command: 'pong' };

function requireIdentifier(frame: Record<string, unknown>, command: string): string {
  const identifier = frame.identifier;
  if (typeof identifier !== 'string') throw new CommandError(`${command}: identifier must be a string`);
  return identifier;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readPosition(stream: string, value: unknown): StreamPosition {
  if (
    !isObject(value) ||
    typeof value.epoch !== 'string' ||
    !Number.isSafeInteger(value.offset) ||
    (value.offset as number) < 0
  ) {
    throw new CommandError(`history: the position of stream ${JSON.stringify(stream)} needs a string epoch and an offset`);
  }
  return { epoch: value.epoch, offset: value.offset as number };
}

/** A `history` field; null when absent or empty (nothing to catch up on). */
function readHistory(value: unknown): HistoryRequest | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new CommandError('history must be an object');
  const since = typeof value.since === 'number' && value.since > 0 ? Math.floor(value.since) : 0;
  const streams: Record<string, StreamPosition> = {};
  if (value.streams !== undefined && value.streams !== null) {
    if (!isObject(value.streams)) throw new CommandError('history.streams must be an object');
    for (const [stream, position] of Object.entries(value.streams)) streams[stream] = readPosition(stream, position);
  }
  return since === 0 && Object.keys(streams).length === 0 ? null : { since, streams };
}

/** A `presence` field: `{id, info}`, the id a string or a number. */
function readPresence(value: unknown): PresenceJoin {
  if (!isObject(value) || (typeof value.id !== 'string' && typeof value.id !== 'number') || value.id === '') {
    throw new CommandError('presence needs an id');
  }
  const info = value.info === undefined ? undefined : JSON.stringify(value.info);
  return info === undefined ? { id: String(value.id) } : { id: String(value.id), info };
}

/** Decodes one client frame; throws CommandError for anything that is not a known, well-formed command. */
export function decodeCommand(text: string): ClientCommand {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new CommandError('frame is not valid JSON');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    throw new CommandError('frame is not a JSON object');
  }
  const fields = frame as Record<string, unknown>;
  switch (fields.command) {
    case 'subscribe':
      return {
        command: 'subscribe',
        identifier: requireIdentifier(fields, 'subscribe'),
        history: readHistory(fields.history),
        presence: fields.presence === undefined || fields.presence === null ? null : readPresence(fields.presence),
      };
    case 'unsubscribe':
      return { command: 'unsubscribe', identifier: requireIdentifier(fields, 'unsubscribe') };
    case 'history':
      return { command: 'history', identifier: requireIdentifier(fields, 'history'), history: readHistory(fields.history) };
    case 'join':
      return { command: 'join', identifier: requireIdentifier(fields, 'join'), presence: readPresence(fields.presence) };
    case 'leave':
    case 'presence':
      return { command: fields.command, identifier: requireIdentifier(fields, fields.command) };
    case 'message': {
      const identifier = requireIdentifier(fields, 'message');
      if (typeof fields.data !== 'string') throw new CommandError('message: data must be a string');
      return { command: 'message', identifier, data: fields.data };
    }
    case 'whisper':
      return { command: 'whisper', identifier: requireIdentifier(fields, 'whisper'), data: fields.data };
    case 'ping':
    case 'pong':
      return { command: fields.command };
    default:
      throw new CommandError(`unknown command: ${JSON.stringify(fields.command) ?? 'none'}`);
  }
}
