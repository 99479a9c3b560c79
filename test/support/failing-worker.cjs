// Preloaded (node --require) into a node run with --workers, and so into each of its worker threads:
// worker FAIL_WORKER_INDEX throws an uncaught error FAIL_WORKER_AFTER_MS after it starts, as a bug would.
// It fails once: the marker file FAIL_WORKER_MARKER records that it did, so the restarted worker lives.
const { existsSync, writeFileSync } = require('node:fs');
const { isMainThread, workerData } = require('node:worker_threads');

const { FAIL_WORKER_INDEX, FAIL_WORKER_AFTER_MS, FAIL_WORKER_MARKER } = process.env;
if (!isMainThread && FAIL_WORKER_MARKER && workerData?.index === Number(FAIL_WORKER_INDEX) && !existsSync(FAIL_WORKER_MARKER)) {
  setTimeout(() => {
    writeFileSync(FAIL_WORKER_MARKER, 'failed\n');
    throw new Error('injected worker failure');
  }, Number(FAIL_WORKER_AFTER_MS));
}
