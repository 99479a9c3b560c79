#!/usr/bin/env node
import { runBroadcastCli } from './cli/run';

runBroadcastCli(process.argv.slice(2), process.env, {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
}).then(
  // Exit at once: an idle HTTP keep-alive socket must not hold the command for seconds.
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cableway-broadcast: ${String(error)}\n`);
    process.exit(1);
  },
);
