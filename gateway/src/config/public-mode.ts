import type { GatewayOptionValues } from './options';

/** What `--public` opened on this node, and which explicit settings it left in force. */
export interface PublicMode {
  readonly noauth: boolean;
  readonly publicStreams: boolean;
  readonly keylessBroadcasts: boolean;
  /** Explicitly configured settings that win over --public, for the startup warning. */
  readonly kept: readonly string[];
}

/**
 * `--public` opens a node for demos and development: no authentication, unsigned `$pubsub` names, HTTP
 * broadcasts without a key. A broadcast key or JWT enforcement configured explicitly is a deliberate
 * choice and wins. `null` when the node is not public.
 */
export function resolvePublicMode(v: GatewayOptionValues): PublicMode | null {
  if (!v.public) return null;
  const explicitKey = v.broadcast_key !== '' || v.http_broadcast_secret !== '';
  const enforcedJwt = v.enforce_jwt || v.jwt_id_enforce;
  const kept: string[] = [];
  if (explicitKey) kept.push('the configured broadcast key');
  if (enforcedJwt) kept.push('JWT enforcement');
  return { noauth: !enforcedJwt, publicStreams: true, keylessBroadcasts: !explicitKey, kept };
}

/** The one warning line a public node logs at start: what is open to anyone. */
export function describePublicMode(mode: PublicMode): string {
  const open: string[] = [];
  if (mode.noauth) open.push('connections without authentication');
  if (mode.publicStreams) open.push('unsigned $pubsub stream names');
  if (mode.keylessBroadcasts) open.push('HTTP broadcasts without a key');
  const kept = mode.kept.length > 0 ? `; kept: ${mode.kept.join(' and ')} (explicit settings win over --public)` : '';
  return `Public mode (--public), not for production: open to anyone: ${open.join(', ')}${kept}`;
}
