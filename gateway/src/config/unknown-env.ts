import { envNameOf, type OptionTable } from '../../../shared/src/config/options';

const ENV_PREFIX = 'ANYCABLE_';

/**
 * Settings of the Rails side (the anycable gem, anycable-rails) that no node option reads. A platform that
 * gives the Rails app and the node one environment (a Heroku app, a shared .env) has them set for Rails:
 * they are no typo, so the warning leaves them out.
 */
const RAILS_SIDE_SETTINGS = [
  'jwt_ttl',
  'http_broadcast_url',
  'log_file',
  'http_health_port',
  'http_health_path',
  'version_check_enabled',
  'sid_header_enabled',
  'nats_options',
  'rpc_tls_cert',
  'rpc_tls_key',
  'rpc_pool_size',
  'rpc_max_waiting_requests',
  'rpc_poll_period',
  'rpc_pool_keep_alive',
  'rpc_server_args',
  'rpc_max_connection_age',
  'log_grpc',
  'access_logs_disabled',
  'persistent_session_enabled',
  'embedded',
  'http_rpc',
  'http_rpc_mount_path',
  'batch_broadcasts',
  'socket_id_header',
  'disable_rpc_pool_size_warning',
  'websocket_url',
  'use_warden_manager',
];

/** The `ANYCABLE_*` variables of the Rails side that no node option reads. */
export const RAILS_SIDE_VARIABLES: readonly string[] = RAILS_SIDE_SETTINGS.map(envNameOf);

/** Every environment variable an options table reads: `ANYCABLE_<FLAG>` and the further names of its rows. */
export function envNamesOf(table: OptionTable): Set<string> {
  const names = new Set<string>();
  for (const [name, spec] of Object.entries(table)) {
    names.add(envNameOf(name));
    for (const extra of spec.env ?? []) names.add(extra);
  }
  return names;
}

/** The `ANYCABLE_*` variables of `env` that nothing reads (a typo such as ANYCABLE_JWT_SECERT), sorted. */
export function unknownEnvVariables(env: Readonly<Record<string, string | undefined>>, known: ReadonlySet<string>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && !known.has(name))
    .sort();
}
