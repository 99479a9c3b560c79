import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../../../shared/src/errors';
import { createLogger } from '../../../shared/src/logger';
import { Metrics } from '../../../shared/src/metrics';
import { readCommandLine } from '../config/config';
import { Runner } from '../lifecycle/runner';
import type { PrimaryMessage, WorkerStart } from './messages';
import { WorkerBus } from './worker-bus';

/** Linux only. */
const THREAD_STAT = '/proc/thread-self/stat';

/** CPU seconds this thread has used (user + system ticks, 100 per second). */
function threadCpuSeconds(): number {
  const fields = readFileSync(THREAD_STAT, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The share of the time this thread's event loop was busy since the previous call (the first: since it started). */
function busySinceLastScrape(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return busy;
  };
}

/** The main thread's lag is prom-client's `nodejs_eventloop_lag_p99_seconds`, sampled at this resolution. */
const LAG_RESOLUTION_MS = 10;

/**
 * The 99th percentile of this thread's event-loop delay since the previous call, in seconds, measured as
 * prom-client measures the main thread's: it includes the sampling interval, so an idle loop reads ~0.01.
 */
function lagSinceLastScrape(): () => number {
  const delay = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  delay.enable();
  return () => {
    const p99 = delay.percentile(99) / 1e9;
    delay.reset();
    return p99;
  };
}

/**
 * A worker thread: reads the node's configuration as the primary did, and runs a node on the shared
 * WebSocket port that broadcasts through the primary. A failure closes its sockets (uWS must not outlive
 * the thread's event loop) and ends the thread; the primary starts it again.
 */
async function main(): Promise<void> {
  const port = parentPort!;
  const start = workerData as WorkerStart;
  const commandLine = readCommandLine([...start.argv, `--node_id=${start.nodeId}`, `--port=${start.port}`], start.env);
  if (commandLine.action !== 'run') throw new Error('a worker runs a node');
  const { config } = commandLine;
  const logger = createLogger({
    level: config.log.level,
    format: config.log.format,
    fields: { nodeid: config.nodeId, worker: String(start.index) },
  });
  let runner: Runner | null = null;
  const abort = (): void => {
    runner?.abort();
    process.exit(1);
  };
  process.on('uncaughtException', (error) => {
    logger.error('worker failed: closing its connections', { error: errorMessage(error) });
    abort();
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection', { error: errorMessage(reason) });
  });
  const metrics = new Metrics(config.metrics.prefix, config.metrics.tags);
  metrics.gauge(
    'thread_eventloop_utilization',
    'Share of the time the worker threads were busy since the last scrape',
    busySinceLastScrape(),
  );
  metrics.gauge(
    'thread_eventloop_lag_p99_seconds',
    'The longest 99th-percentile event-loop delay among the worker threads since the last scrape',
    lagSinceLastScrape(),
    'max',
  );
  if (existsSync(THREAD_STAT)) {
    metrics.counterOf('thread_cpu_seconds_total', 'CPU time of the worker threads (user and system)', threadCpuSeconds);
  }
  const bus = new WorkerBus(port, start, () => metrics.registry.getMetricsAsJSON());
  const stop = async (): Promise<void> => {
    await runner?.shutdown();
    runner?.abort();
    process.exit(0);
  };
  port.on('message', (message: PrimaryMessage) => bus.receive(message, { shutdown: () => void stop(), abort }));
  runner = await Runner.start(config, logger, { metrics, bus, intake: bus.intake, exposition: bus.exposition });
  port.postMessage({ type: 'ready' });
}

main().catch((error: unknown) => {
  process.stderr.write(`cableway worker: cannot start: ${errorMessage(error)}\n`);
  process.exit(1);
});
