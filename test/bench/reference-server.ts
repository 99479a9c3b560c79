/**
 * A bare uWebSockets.js server doing the least an Action Cable server must: upgrade, send a welcome,
 * confirm subscriptions, subscribing the socket to the identifier's `stream_name` when it has one, and
 * publish POSTed frames to their streams. Benchmarks compare Cableway to it.
 * Usage: tsx test/bench/reference-server.ts <port>
 */
import * as uWS from 'uWebSockets.js';

const port = Number(process.argv[2]);
const app = uWS.App();
app.ws('/cable', {
  maxPayloadLength: 65536,
  open: (ws) => {
    ws.send('{"type":"welcome","sid":"reference"}');
  },
  message: (ws, message) => {
    const text = Buffer.from(message).toString();
    if (text.includes('"subscribe"')) {
      const identifier = (JSON.parse(text) as { identifier: string }).identifier;
      const stream = (JSON.parse(identifier) as { stream_name?: string }).stream_name;
      if (stream !== undefined) ws.subscribe(stream);
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
    const frames = JSON.parse(Buffer.concat(chunks).toString()) as { stream: string; frame: string }[];
    for (const { stream, frame } of frames) app.publish(stream, frame);
    res.cork(() => res.writeStatus('201 Created').end());
  });
});
app.listen('127.0.0.1', port, (socket) => {
  if (!socket) process.exit(1);
  console.log('reference server listening');
});
