// Preloaded (node --require) into a node run with --workers, and so into each of its worker threads:
// worker SLOW_WORKER_INDEX keeps its event loop busy for SLOW_WORKER_BLOCK_MS of every 200 ms, as a
// handler stuck in synchronous work would.
const { isMainThread, workerData } = require('node:worker_threads');

const { SLOW_WORKER_INDEX, SLOW_WORKER_BLOCK_MS } = process.env;
if (!isMainThread && SLOW_WORKER_INDEX && workerData?.index === Number(SLOW_WORKER_INDEX)) {
  setInterval(() => {
    const until = Date.now() + Number(SLOW_WORKER_BLOCK_MS);
    while (Date.now() < until);
  }, 200).unref();
}
