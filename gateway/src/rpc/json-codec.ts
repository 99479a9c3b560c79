import type * as pb from './proto';
import type { RpcMethod, RpcRequest, RpcResponse } from './proto';

/**
 * anycable's JSON form of the anycable.RPC messages, as anycable-go sends them over HTTP and the Ruby
 * server answers: proto field names (snake_case), enums as numbers, fields at their default left out.
 */

/** The proto enum's numbers. */
const STATUS_NAMES: readonly pb.Status[] = ['ERROR', 'SUCCESS', 'FAILURE'];

type Json = Record<string, unknown>;

/*
 * Fields at their default (empty strings, lists and maps) become `undefined`, which JSON.stringify leaves
 * out; so does a message whose every field is at its default. Built field by field: this runs per call.
 */
const text = (value: string | undefined): string | undefined => value || undefined;
const list = <T>(value: readonly T[]): readonly T[] | undefined => (value.length > 0 ? value : undefined);
const map = (value: pb.StringMap | undefined): pb.StringMap | undefined =>
  value && Object.keys(value).length > 0 ? value : undefined;

function envJson(env: pb.Env): Json | undefined {
  const fields = { url: text(env.url), headers: map(env.headers), cstate: map(env.cstate), istate: map(env.istate) };
  return fields.url || fields.headers || fields.cstate || fields.istate ? fields : undefined;
}

const REQUEST_ENCODERS: { readonly [M in RpcMethod]: (request: RpcRequest<M>) => Json } = {
  connect: (request) => ({ env: envJson(request.env) }),
  command: (message) => ({
    command: message.command,
    identifier: text(message.identifier),
    connection_identifiers: text(message.connection_identifiers),
    data: text(message.data),
    env: envJson(message.env),
  }),
  disconnect: (request) => ({
    identifiers: text(request.identifiers),
    subscriptions: list(request.subscriptions),
    env: envJson(request.env),
  }),
};

export function encodeRequest<M extends RpcMethod>(method: M, request: RpcRequest<M>): string {
  return JSON.stringify(REQUEST_ENCODERS[method](request));
}

/** Reads the fields of an answer, each at its default when absent or of another type. */
class Fields {
  constructor(private readonly json: Json) {}

  /** A number of the enum, or its name; an unknown status counts as ERROR, so nothing of it is applied. */
  status(): pb.Status {
    const value = this.json.status;
    if (typeof value === 'number') return STATUS_NAMES[value] ?? 'ERROR';
    return STATUS_NAMES.find((name) => name === value) ?? 'ERROR';
  }

  string(name: string): string {
    const value = this.json[name];
    return typeof value === 'string' ? value : '';
  }

  boolean(name: string): boolean {
    return this.json[name] === true;
  }

  number(name: string): number {
    const value = this.json[name];
    return typeof value === 'number' ? value : 0;
  }

  strings(name: string): string[] {
    const value = this.json[name];
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  }

  stringMap(name: string): Record<string, string> {
    const map: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.message(name)?.json ?? {})) {
      if (typeof value === 'string') map[key] = value;
    }
    return map;
  }

  message(name: string): Fields | null {
    const value = this.json[name];
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? new Fields(value as Json) : null;
  }
}

function envResponse(fields: Fields): pb.EnvResponse | null {
  const env = fields.message('env');
  return env && { cstate: env.stringMap('cstate'), istate: env.stringMap('istate') };
}

function presenceResponse(fields: Fields): pb.PresenceResponse | null {
  const presence = fields.message('presence');
  return (
    presence && {
      type: presence.string('type'),
      id: presence.string('id'),
      info: presence.string('info'),
      ttl: presence.number('ttl'),
    }
  );
}

const RESPONSE_DECODERS: { readonly [M in RpcMethod]: (fields: Fields) => RpcResponse<M> } = {
  connect: (fields) => ({
    status: fields.status(),
    identifiers: fields.string('identifiers'),
    transmissions: fields.strings('transmissions'),
    error_msg: fields.string('error_msg'),
    env: envResponse(fields),
  }),
  command: (fields) => ({
    status: fields.status(),
    disconnect: fields.boolean('disconnect'),
    stop_streams: fields.boolean('stop_streams'),
    streams: fields.strings('streams'),
    transmissions: fields.strings('transmissions'),
    error_msg: fields.string('error_msg'),
    env: envResponse(fields),
    stopped_streams: fields.strings('stopped_streams'),
    presence: presenceResponse(fields),
  }),
  disconnect: (fields) => ({ status: fields.status(), error_msg: fields.string('error_msg') }),
};

/** Throws SyntaxError when the body is not a JSON object. */
export function decodeResponse<M extends RpcMethod>(method: M, body: string): RpcResponse<M> {
  const json: unknown = JSON.parse(body);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SyntaxError('the answer is not a JSON object');
  }
  return RESPONSE_DECODERS[method](new Fields(json as Json));
}
