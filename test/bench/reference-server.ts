/**
 * A bare uWebSockets.js server doing the least an Action Cable server must: upgrade, send a welcome,
 * subscribe every socket to one topic, and publish POSTed bodies to it. Benchmarks compare Cableway to it.
 * Usage: tsx test/bench/reference-server.ts <port>
 */
import * as uWS from 'uWebSockets.js';

const port = Number(process.argv[2]);
const app = uWS.App();
app.ws('/cable', {
  maxPayloadLength: 65536,
  open: (ws) => {
    ws.subscribe('all');
    ws.send('{"type":"welcome","sid":"reference"}');
  },
  message: (ws, message) => {
    const text = Buffer.from(message).toString();
    if (text.includes('"subscribe"')) {
      const identifier = (JSON.parse(text) as { identifier: string }).identifier;
      ws.send(JSON.stringify({ type: 'confirm_subscription', identifier }));
    }
  },
});
app.post('/publish', (res) => {
  const chunks: Buffer[] = [];
  res.onAborted(() => undefined);
  res.onData((chunk, isLast) => {
    chunks.push(Buffer.from(chunk.slice(0)));
    if (!isLast) return;
    const frames = JSON.parse(Buffer.concat(chunks).toString()) as string[];
    for (const frame of frames) app.publish('all', frame);
    res.cork(() => res.writeStatus('201 Created').end());
  });
});
app.listen('127.0.0.1', port, (socket) => {
  if (!socket) process.exit(1);
  console.log('reference server listening');
});
