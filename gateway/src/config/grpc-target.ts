import { ConfigError, ErrorCode } from '../../../shared/src/errors';

/** The scheme of `--rpc_host=grpc-list://h1:p,h2:p`, resolved by `rpc/grpc-list-resolver.ts`. */
export const GRPC_LIST_SCHEME = 'grpc-list';

const GRPC_SCHEME = 'grpc://';
const GRPC_LIST_PREFIX = `${GRPC_LIST_SCHEME}://`;
const HTTP_SCHEMES = ['http://', 'https://'];

/**
 * The grpc-js target for `--rpc_host`: `host:port` and `dns:///host:port` go to grpc-js's resolver as they
 * are (the round-robin policy spreads calls over every address), `grpc://host:port` loses its scheme and
 * `grpc-list://h1:p,h2:p` becomes `grpc-list:///h1:p,h2:p` for the resolver of that scheme.
 */
export function grpcTarget(rpcHost: string): string {
  if (HTTP_SCHEMES.some((scheme) => rpcHost.startsWith(scheme))) {
    throw new ConfigError(
      ErrorCode.ConfigBadValue,
      `--rpc_host=${rpcHost}: an http(s):// RPC server is reached over HTTP, not gRPC (drop --rpc_impl=grpc)`,
    );
  }
  if (rpcHost.startsWith(GRPC_LIST_PREFIX)) {
    const hosts = rpcHost.slice(GRPC_LIST_PREFIX.length);
    if (hosts.split(',').some((host) => host.trim() === '')) {
      throw new ConfigError(ErrorCode.ConfigBadValue, `--rpc_host=${rpcHost}: expected grpc-list://host1:port,host2:port`);
    }
    return `${GRPC_LIST_SCHEME}:///${hosts}`;
  }
  return rpcHost.startsWith(GRPC_SCHEME) ? rpcHost.slice(GRPC_SCHEME.length) : rpcHost;
}
