import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import type { GatewayOptionValues } from './options';

export type PresetName = 'fly' | 'heroku' | 'broker';

type Env = Readonly<Record<string, string | undefined>>;
type Values = { -readonly [K in keyof GatewayOptionValues]: GatewayOptionValues[K] };

/** anycable-go's detection: every one of these variables must be set. */
const DETECTED: readonly (readonly [PresetName, readonly string[]])[] = [
  ['fly', ['FLY_APP_NAME', 'FLY_ALLOC_ID', 'FLY_REGION']],
  ['heroku', ['HEROKU_APP_ID', 'HEROKU_DYNO_ID']],
];

/** The presets to load: those given (`none` alone loads none), else those the environment shows. */
export function presetsToLoad(given: readonly string[], isGiven: boolean, env: Env): PresetName[] {
  if (isGiven) return given.filter((name): name is PresetName => name !== 'none');
  return DETECTED.filter(([, variables]) => variables.every((name) => env[name] !== undefined)).map(([name]) => name);
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined) throw new ConfigError(ErrorCode.ConfigBadValue, `--presets=fly: ${name} is not set`);
  return value;
}

/**
 * Sets what each preset sets, as anycable-go's presets do, for every option not given on the command line,
 * in the environment or in the file. Parts of anycable-go's presets for features Cableway does not have
 * (the embedded NATS server) are left out.
 */
export function applyPresets(
  presets: readonly PresetName[],
  values: GatewayOptionValues,
  explicit: ReadonlySet<string>,
  env: Env,
): GatewayOptionValues {
  const result: Values = { ...values };
  const unset = (name: keyof GatewayOptionValues) => !explicit.has(name);
  const redisEnabled = values.redis_url !== '';
  for (const preset of presets) {
    switch (preset) {
      case 'fly': {
        const region = required(env, 'FLY_REGION');
        required(env, 'FLY_APP_NAME');
        if (unset('host')) result.host = '0.0.0.0';
        if (unset('http_broadcast_port')) result.http_broadcast_port = result.port;
        if (unset('pubsub') && redisEnabled) result.pubsub = 'redis';
        if (unset('broadcast_adapter') && !redisEnabled) result.broadcast_adapter = ['http'];
        const rpcApp = env.ANYCABLE_FLY_RPC_APP_NAME;
        if (rpcApp !== undefined && unset('rpc_host')) result.rpc_host = `dns:///${region}.${rpcApp}.internal:50051`;
        break;
      }
      case 'heroku': {
        if (unset('host')) result.host = '0.0.0.0';
        const port = env.PORT;
        if (unset('http_broadcast_port') && port !== undefined && port !== '') {
          if (!/^\d+$/.test(port))
            throw new ConfigError(ErrorCode.ConfigBadValue, `--presets=heroku: PORT is not a port: ${port}`);
          result.http_broadcast_port = Number(port);
        }
        break;
      }
      case 'broker':
        if (unset('broadcast_adapter')) result.broadcast_adapter = redisEnabled ? ['http', 'redisx', 'redis'] : ['http'];
        if (unset('pubsub') && redisEnabled) result.pubsub = 'redis';
        // anycable-go's own broker is the memory one; with Redis, Cableway's cluster-wide one takes its place.
        if (unset('broker')) result.broker = redisEnabled ? 'redis' : 'memory';
        break;
    }
  }
  return result;
}
