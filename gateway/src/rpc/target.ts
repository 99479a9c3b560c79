import { ConfigError, ErrorCode } from '../../../shared/src/errors';

const GRPC_SCHEME = 'grpc://';
const UNSUPPORTED_SCHEMES = ['http://', 'https://', 'grpc-list://'];

/**
 * The grpc-js target for `--rpc_host`: `host:port` and `dns:///host:port` go to grpc-js's resolver as they
 * are (the round-robin policy spreads calls over every address), `grpc://host:port` loses its scheme.
 */
export function grpcTarget(rpcHost: string): string {
  const unsupported = UNSUPPORTED_SCHEMES.find((scheme) => rpcHost.startsWith(scheme));
  if (unsupported) {
    throw new ConfigError(
      ErrorCode.ConfigBadValue,
      `--rpc_host=${rpcHost}: ${unsupported} RPC servers are not supported; give host:port, grpc://host:port or dns:///host:port`,
    );
  }
  return rpcHost.startsWith(GRPC_SCHEME) ? rpcHost.slice(GRPC_SCHEME.length) : rpcHost;
}
