import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import { deriveKey } from '../../../broadcaster/src/options';
import { grpcTarget } from './grpc-target';
import type { GatewayOptionValues } from './options';

/** TLS to the RPC server. */
export interface RpcTlsConfig {
  /** CA certificate as a file path or PEM contents; `null`: the system CAs. */
  readonly rootCa: string | null;
  /** Whether the server's certificate chain and host name are checked. */
  readonly verify: boolean;
}

export interface GrpcTransportConfig {
  readonly kind: 'grpc';
  /** The grpc-js target (`host:port`, `dns:///…`, `grpc-list:///h1:p,h2:p`). */
  readonly target: string;
  readonly tls: RpcTlsConfig | null;
  /** Largest answer and request in bytes; 0 keeps the gRPC default. */
  readonly maxRecvSize: number;
  readonly maxSendSize: number;
}

export interface HttpTransportConfig {
  readonly kind: 'http';
  /** Base URL: calls are POSTed to `<url>/connect`, `<url>/command` and `<url>/disconnect`. */
  readonly url: URL;
  /** Bearer token; empty sends no Authorization header. */
  readonly secret: string;
  /** `null`: an https:// URL is checked against the system CAs. */
  readonly tls: RpcTlsConfig | null;
}

export type RpcTransportConfig = GrpcTransportConfig | HttpTransportConfig;

/** The phrase anycable derives the HTTP RPC token from: hex HMAC-SHA256 of it under --secret. */
const HTTP_RPC_SECRET_PHRASE = 'rpc-cable';
/** anycable-go's HTTP RPC deadline when neither --http_rpc_timeout nor --rpc_request_timeout is set. */
const DEFAULT_HTTP_RPC_TIMEOUT_MS = 3000;

type TransportValues = Pick<
  GatewayOptionValues,
  | 'rpc_host'
  | 'rpc_impl'
  | 'http_rpc_secret'
  | 'http_rpc_timeout'
  | 'rpc_request_timeout'
  | 'rpc_enable_tls'
  | 'rpc_tls_verify'
  | 'rpc_tls_root_ca'
  | 'rpc_max_call_recv_size'
  | 'rpc_max_call_send_size'
>;

/** As anycable-go: `--rpc_impl` when given, else `http` for http(s):// hosts and `grpc` for the rest. */
function transportKind(v: TransportValues): 'grpc' | 'http' {
  if (v.rpc_impl === 'grpc' || v.rpc_impl === 'http') return v.rpc_impl;
  if (v.rpc_impl !== '') {
    throw new ConfigError(ErrorCode.ConfigBadValue, `--rpc_impl: expected grpc or http, got ${JSON.stringify(v.rpc_impl)}`);
  }
  return /^https?:\/\//i.test(v.rpc_host) ? 'http' : 'grpc';
}

function httpUrl(rpcHost: string): URL {
  const url = URL.canParse(rpcHost) ? new URL(rpcHost) : null;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new ConfigError(ErrorCode.ConfigBadValue, `--rpc_host=${rpcHost}: HTTP RPC needs an http(s)://host/path URL`);
  }
  return url;
}

/** The transport to the Rails app; `secret` is the application secret (--secret), empty when not set. */
export function resolveRpcTransport(v: TransportValues, secret: string): RpcTransportConfig {
  const tlsEnabled = v.rpc_enable_tls || v.rpc_tls_root_ca !== '';
  const tls = tlsEnabled ? { rootCa: v.rpc_tls_root_ca || null, verify: v.rpc_tls_verify } : null;
  if (transportKind(v) === 'grpc') {
    return {
      kind: 'grpc',
      target: grpcTarget(v.rpc_host),
      tls,
      maxRecvSize: v.rpc_max_call_recv_size,
      maxSendSize: v.rpc_max_call_send_size,
    };
  }
  const derived = secret === '' ? '' : deriveKey(secret, HTTP_RPC_SECRET_PHRASE);
  return { kind: 'http', url: httpUrl(v.rpc_host), secret: v.http_rpc_secret || derived, tls };
}

/** gRPC attempts are bounded by --rpc_request_timeout only; HTTP requests always have a deadline. */
export function rpcRequestTimeoutMs(v: TransportValues): number {
  if (transportKind(v) === 'grpc') return v.rpc_request_timeout;
  return v.http_rpc_timeout || v.rpc_request_timeout || DEFAULT_HTTP_RPC_TIMEOUT_MS;
}
