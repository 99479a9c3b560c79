import { lookup } from 'node:dns/promises';
import { experimental, status, type ChannelOptions } from '@grpc/grpc-js';
import { GRPC_LIST_SCHEME } from '../config/grpc-target';

/** grpc-js's port when a target names none. */
const DEFAULT_PORT = 443;

type HostPort = { readonly host: string; readonly port: number };

function hostPorts(target: experimental.GrpcUri): HostPort[] {
  return target.path.split(',').map((entry) => {
    const parsed = experimental.splitHostPort(entry.trim());
    return { host: parsed?.host ?? entry, port: parsed?.port ?? DEFAULT_PORT };
  });
}

/** Every address of one host, as one endpoint: the round-robin policy picks among hosts. */
async function endpointOf({ host, port }: HostPort): Promise<experimental.Endpoint> {
  const addresses = await lookup(host, { all: true });
  return { addresses: addresses.map(({ address }) => ({ host: address, port })) };
}

/**
 * `grpc-list:///host1:port,host2:port`: every host listed is one endpoint (anycable-go 1.6.2's
 * `grpc-list://`). Host names are looked up again whenever grpc-js asks, e.g. after a connection failed;
 * the hosts that cannot be looked up are left out until then.
 */
class GrpcListResolver implements experimental.Resolver {
  private readonly hosts: readonly HostPort[];
  /** Bumped by `destroy`, so that a lookup finishing afterwards reports nothing. */
  private generation = 0;

  constructor(
    target: experimental.GrpcUri,
    private readonly listener: experimental.ResolverListener,
    _options: ChannelOptions,
  ) {
    this.hosts = hostPorts(target);
  }

  static getDefaultAuthority(target: experimental.GrpcUri): string {
    return target.path.split(',')[0]!.trim();
  }

  updateResolution(): void {
    const generation = this.generation;
    void this.resolve().then((result) => {
      if (generation === this.generation) this.listener(result, {}, null, '');
    });
  }

  destroy(): void {
    this.generation += 1;
  }

  private async resolve(): Promise<experimental.StatusOr<experimental.Endpoint[]>> {
    const results = await Promise.allSettled(this.hosts.map(endpointOf));
    const endpoints = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    if (endpoints.length > 0) return experimental.statusOrFromValue(endpoints);
    const hosts = this.hosts.map(({ host, port }) => `${host}:${port}`).join(',');
    return experimental.statusOrFromError({ code: status.UNAVAILABLE, details: `no host of ${hosts} could be looked up` });
  }
}

let registered = false;

/** Teaches grpc-js the `grpc-list` scheme; calling it again does nothing. */
export function registerGrpcListResolver(): void {
  if (registered) return;
  experimental.registerResolver(GRPC_LIST_SCHEME, GrpcListResolver);
  registered = true;
}
