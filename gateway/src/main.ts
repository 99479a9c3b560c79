#!/usr/bin/env node
import { ConfigError, errorMessage } from '../../shared/src/errors';
import { createLogger, type Logger } from '../../shared/src/logger';
import { VERSION } from '../../shared/src/version';
import { readCommandLine } from './config/config';
import { Runner } from './lifecycle/runner';
import { logConfigSources } from './lifecycle/startup-log';
import { nativeUws } from './server/uws';
import { Primary } from './workers/primary';

/** Exit codes: 2 for a bad command line, 1 for a node that could not start or stop cleanly. */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

/** A running node: one event loop, or the primary of several. */
interface RunningNode {
  shutdown(): Promise<void>;
  /** Closes every socket at once, so the process can exit now. */
  abort(): void | Promise<void>;
}

function exitNow(node: RunningNode): void {
  void Promise.resolve(node.abort()).finally(() => process.exit(EXIT_FAILURE));
}

function handleSignals(node: RunningNode, logger: Logger, timeoutSec: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting at once', { signal });
      return exitNow(node);
    }
    stopping = true;
    logger.info('signal received', { signal });
    // The shutdown bounds itself; this is the last resort if something in it hangs.
    setTimeout(
      () => {
        logger.error('shutdown timed out: exiting');
        exitNow(node);
      },
      (timeoutSec + 5) * 1000,
    ).unref();
    node.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: errorMessage(error) });
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  let commandLine;
  try {
    commandLine = readCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`cableway: ${error.message}\n`);
    process.exit(EXIT_USAGE);
  }
  if (commandLine.action === 'help' || commandLine.action === 'print-config') {
    process.stdout.write(commandLine.text);
    return;
  }
  if (commandLine.action === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const { config } = commandLine;
  const logger = createLogger({ level: config.log.level, format: config.log.format, fields: { nodeid: config.nodeId } });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection', { error: errorMessage(reason) });
  });
  logger.info(`Starting Cableway ${VERSION}`, { pid: process.pid, node: process.version });
  logConfigSources(config, logger);
  try {
    nativeUws();
    const node =
      config.server.workers > 1
        ? await Primary.start(config, { argv: process.argv.slice(2), env: process.env }, logger)
        : await Runner.start(config, logger);
    handleSignals(node, logger, config.shutdown.timeoutSec);
  } catch (error) {
    logger.error('cannot start', { error: errorMessage(error) });
    process.exit(EXIT_FAILURE);
  }
}

void main();
