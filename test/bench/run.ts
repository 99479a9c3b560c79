/**
 * Benchmarks, run by `npm run bench [-- <scenario> ...]` (all when none is named). Client load runs in
 * this process, on the same machine as the servers: read results as ratios to the bare uWS reference.
 */
import { benchCluster } from './cluster';
import { benchConnect } from './connect';
import { benchJwtConnect, benchRpcCommand, benchRpcSubscribe } from './connect-path';
import { benchFanout } from './fanout';
import { benchMemory, benchRpcMemory } from './memory';
import { benchReliable } from './reliable';
import { writeReport } from './report';
import { benchRpcTransports } from './rpc-transports';
import { benchWorkers } from './workers';

const scenarios: Record<string, () => Promise<void>> = {
  connect: () => benchConnect(1000, 1),
  'jwt-connect': () => benchJwtConnect(1000, 4, 5000),
  'rpc-subscribe': () => benchRpcSubscribe(500, 6, 3000),
  'rpc-command': () => benchRpcCommand(2000, 4, 6000),
  fanout: () => benchFanout({ clients: 1000, messages: 1000, batch: 20 }, 3),
  'fanout-steady': () => benchFanout({ clients: 1000, messages: 200, batch: 1 }, 3),
  'fanout-streams': () => benchFanout({ clients: 1000, messages: 5000, batch: 1, streams: 500 }, 3),
  memory: () => benchMemory(10_000),
  'memory-rpc': () => benchRpcMemory(10_000),
  'rpc-transports': () => benchRpcTransports(1000, 1),
  cluster: () => benchCluster(20_000, 100),
  reliable: () => benchReliable(1000, 1000, 20, 20),
  workers: () => benchWorkers({ clients: 1000, messages: 1000, batch: 20 }, 3),
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const names = requested.length > 0 ? requested : Object.keys(scenarios);
  for (const name of names) {
    const scenario = scenarios[name];
    if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
    await scenario();
  }
  console.log(`\nwritten: ${writeReport(['npm run bench', ...(requested.length > 0 ? ['--', ...requested] : [])].join(' '))}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
