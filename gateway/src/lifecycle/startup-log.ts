import type { Logger } from '../../../shared/src/logger';
import type { GatewayConfig } from '../config/config';
import { describePublicMode } from '../config/public-mode';

/** Before anything starts: where the configuration came from, and what in it was not used. */
export function logConfigSources(config: GatewayConfig, logger: Logger): void {
  const { file, presets, warnings } = config.sources;
  if (file) logger.info(`Using configuration from file: ${file}`);
  if (presets.length > 0) logger.info(`Loaded presets: ${presets.join(',')}`);
  for (const warning of warnings) logger.warn(warning);
}

/** Once the node listens: one line per enabled feature, never a secret. */
export function logStartup(config: GatewayConfig, logger: Logger): void {
  const { server, auth, streams, rpc, broadcast, metrics } = config;
  const [ws, http] = server.tls ? ['wss', 'https'] : ['ws', 'http'];
  for (const path of server.paths) logger.info(`Handle WebSocket connections at ${ws}://${server.host}:${server.port}${path}`);
  logger.info(`Health check at ${http}://${server.host}:${server.port}${server.healthPath}`);
  if (auth.jwt) logger.info(`JWT identification is enabled (param: ${auth.jwt.param}, enforced: ${auth.jwt.enforce})`);
  if (auth.noauth) logger.info('Connections are accepted without authentication (noauth)');
  const local = ['$pubsub'];
  if (streams.turboSecret) local.push('Turbo::StreamsChannel');
  if (streams.cableReadySecret) local.push('CableReady::Stream');
  logger.info(
    `Signed streams verified locally: ${local.join(', ')} (public $pubsub streams: ${streams.publicStreams}, whispers: ${streams.whisper})`,
  );
  if (rpc.enabled)
    logger.info(
      `RPC controller: ${rpc.host} (impl: ${rpc.transport.kind}, enable_tls: ${rpc.transport.tls !== null}, concurrency: ${rpc.concurrency}, headers: ${rpc.headers.join(',')})`,
    );
  else logger.info('RPC is disabled (norpc): only JWT, noauth and signed streams are served');
  if (config.pong.nativePings) {
    const timeout = config.pong.timeoutSec > 0 ? `${config.pong.timeoutSec}s` : 'off';
    logger.info(`Native WebSocket pings are sent with every ping (pong timeout: ${timeout})`);
  } else if (config.pong.timeoutSec > 0) {
    logger.info('pong_timeout has no effect without --enable_native_pings: actioncable-v1-json clients do not answer pings');
  }
  logger.info(`Disconnect calls: ${config.disconnect.mode} (rate: ${config.disconnect.ratePerSec}/s)`);
  if (broadcast.adapters.includes('http')) {
    const auth = broadcast.http.key === null ? 'no authorization' : 'authorization required';
    logger.info(`Accept broadcast requests at ${http}://${server.host}:${broadcast.http.port}${broadcast.http.path} (${auth})`);
  }
  if (broadcast.redis === null && broadcast.nats === null) {
    logger.info('Running standalone: in-memory pub/sub, HTTP broadcasts, no Redis or NATS');
  }
  if (config.broker.kind !== 'none') {
    const { kind, historyLimit, historyTtlSec, sessionsTtlSec } = config.broker;
    logger.info(
      `Broker: ${kind} (history: ${historyLimit} messages for ${historyTtlSec}s per stream, sessions kept ${sessionsTtlSec}s)`,
    );
  }
  if (metrics.path)
    logger.info(`Prometheus metrics at ${http}://${metrics.host}:${metrics.port}${metrics.path} (prefix: ${metrics.prefix})`);
  if (config.publicMode) logger.warn(describePublicMode(config.publicMode));
  for (const deprecation of config.deprecations) logger.warn(deprecation);
  if (config.unknownEnv.length > 0) {
    logger.warn(`Unknown environment variables ignored (a typo?): ${config.unknownEnv.join(', ')}; see --help`);
  }
}
