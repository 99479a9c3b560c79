import path from 'node:path';
import type { MethodDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

/**
 * The anycable.RPC messages as proto-loader hands them over: proto field names (snake_case), enums as
 * their names, every scalar, list and map present with its default, an absent message field as `null`.
 */
export type StringMap = Readonly<Record<string, string>>;

export type Status = 'ERROR' | 'SUCCESS' | 'FAILURE';

export type Command = 'subscribe' | 'unsubscribe' | 'message';

export interface Env {
  readonly url: string;
  readonly headers: StringMap;
  readonly cstate?: StringMap;
  /** Command: the subscription's state. Disconnect: subscription identifier to its JSON-encoded state. */
  readonly istate?: StringMap;
}

/** State changes; an empty value deletes the key. */
export interface EnvResponse {
  readonly cstate: StringMap;
  readonly istate: StringMap;
}

export interface PresenceResponse {
  readonly type: string;
  readonly id: string;
  readonly info: string;
  readonly ttl: number;
}

export interface ConnectionRequest {
  readonly env: Env;
}

export interface ConnectionResponse {
  readonly status: Status;
  readonly identifiers: string;
  readonly transmissions: readonly string[];
  readonly error_msg: string;
  readonly env: EnvResponse | null;
}

export interface CommandMessage {
  readonly command: Command;
  readonly identifier: string;
  readonly connection_identifiers: string;
  /** Only for `message`: the client's `data` string. */
  readonly data?: string;
  readonly env: Env;
}

export interface CommandResponse {
  readonly status: Status;
  readonly disconnect: boolean;
  readonly stop_streams: boolean;
  readonly streams: readonly string[];
  readonly transmissions: readonly string[];
  readonly error_msg: string;
  readonly env: EnvResponse | null;
  readonly stopped_streams: readonly string[];
  readonly presence: PresenceResponse | null;
}

export interface DisconnectRequest {
  readonly identifiers: string;
  readonly subscriptions: readonly string[];
  readonly env: Env;
}

export interface DisconnectResponse {
  readonly status: Status;
  readonly error_msg: string;
}

/** Each method of the service by the name Cableway's metrics and logs use for it. */
export interface RpcMethods {
  connect: { request: ConnectionRequest; response: ConnectionResponse };
  command: { request: CommandMessage; response: CommandResponse };
  disconnect: { request: DisconnectRequest; response: DisconnectResponse };
}

export type RpcMethod = keyof RpcMethods;
export type RpcRequest<M extends RpcMethod> = RpcMethods[M]['request'];
export type RpcResponse<M extends RpcMethod> = RpcMethods[M]['response'];

/** The service as grpc-js clients and servers take it, keyed by the proto's method names. */
export type RpcServiceDefinition = {
  readonly Connect: MethodDefinition<ConnectionRequest, ConnectionResponse>;
  readonly Command: MethodDefinition<CommandMessage, CommandResponse>;
  readonly Disconnect: MethodDefinition<DisconnectRequest, DisconnectResponse>;
};

export const PROTO_METHOD_NAMES = {
  connect: 'Connect',
  command: 'Command',
  disconnect: 'Disconnect',
} as const satisfies Record<RpcMethod, keyof RpcServiceDefinition>;

/** Resolves both from the sources (gateway/src/rpc) and from the build (dist/gateway/src/rpc). */
const PROTO_PATH = path.join(__dirname, '../../proto/rpc.proto');

const LOADER_OPTIONS: Options = { keepCase: true, enums: String, defaults: true, arrays: true, objects: true };

let service: RpcServiceDefinition | undefined;

export function rpcServiceDefinition(): RpcServiceDefinition {
  // proto-loader types its definitions as plain objects; the message types above describe them.
  service ??= loadSync(PROTO_PATH, LOADER_OPTIONS)['anycable.RPC'] as unknown as RpcServiceDefinition;
  return service;
}
