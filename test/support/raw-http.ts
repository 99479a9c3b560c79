import { connect } from 'node:net';

/** What came back on a raw TCP connection: every byte, and whether the server closed it in time. */
export interface RawExchange {
  readonly status: number | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes after the head, exactly as sent (HEAD answers must have none). */
  readonly body: string;
  /** The server closed the connection before the deadline. */
  readonly closed: boolean;
  readonly raw: string;
}

function parse(raw: string, closed: boolean): RawExchange {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: null, headers: {}, body: '', closed, raw };
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1] ?? NaN),
    headers,
    body: raw.slice(end + 4),
    closed,
    raw,
  };
}

/** Pause between the pieces of a request written in pieces, so that the server reads each apart. */
const PIECE_PAUSE_MS = 50;

function writeInPieces(socket: ReturnType<typeof connect>, pieces: readonly string[]): void {
  pieces.forEach((piece, index) => setTimeout(() => socket.write(piece), index * PIECE_PAUSE_MS));
}

/**
 * Writes `request` as is on a new TCP connection (no HTTP client to fix it up), or its pieces one after
 * another, and collects the answer until the server closes the connection or `deadlineMs` passes.
 */
export function rawHttp(port: number, request: string | readonly string[], deadlineMs = 1000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(parse(raw, false));
    }, deadlineMs);
    socket.on('connect', () => writeInPieces(socket, typeof request === 'string' ? [request] : request));
    socket.on('data', (chunk: Buffer) => (raw += chunk.toString('latin1')));
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(raw, true));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * Sends several requests on one connection, each after the previous answer's head and body (none for HEAD)
 * arrived: a body sent after a HEAD answer would garble the next answer.
 */
export function rawHttpSequence(port: number, requests: readonly string[], deadlineMs = 1000): Promise<RawExchange[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const answers: RawExchange[] = [];
    let raw = '';
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      if (raw !== '') answers.push(parse(raw, closed));
      resolve(answers);
    };
    const timer = setTimeout(() => finish(false), deadlineMs);
    socket.on('connect', () => socket.write(requests[0]!));
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1');
      const answer = parse(raw, false);
      const bodyless = requests[answers.length]!.startsWith('HEAD ');
      const length = bodyless ? 0 : Number(answer.headers['content-length'] ?? -1);
      if (answer.status === null || answer.body.length < length) return;
      answers.push(answer);
      raw = '';
      if (answers.length < requests.length) socket.write(requests[answers.length]!);
    });
    socket.on('end', () => finish(true));
    socket.on('error', reject);
  });
}

/** A WebSocket spoken over a bare TCP socket, for handshakes no client library sends (any header, as is). */
export interface RawWebSocket {
  /** Text frames received, in order. */
  readonly texts: string[];
  /** Sends one masked text frame. */
  sendText(text: string): void;
  /** Resolves once the server ended the TCP connection. */
  readonly ended: Promise<void>;
  destroy(): void;
}

/** Server frames are unmasked; text frames of this test size carry a 7- or 16-bit length. */
function takeFrames(buffer: Buffer, texts: string[]): Buffer {
  let rest = buffer;
  for (;;) {
    if (rest.length < 2) return rest;
    const opcode = rest[0]! & 0x0f;
    let length = rest[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (rest.length < 4) return rest;
      length = rest.readUInt16BE(2);
      offset = 4;
    }
    if (rest.length < offset + length) return rest;
    if (opcode === 1) texts.push(rest.subarray(offset, offset + length).toString('utf8'));
    rest = rest.subarray(offset + length);
  }
}

/**
 * Opens a WebSocket by writing `requestHead` (the upgrade request, up to its blank line) as is, and
 * resolves once the 101 answer has arrived.
 */
export function rawWebSocket(port: number, requestHead: string): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const texts: string[] = [];
    let head = '';
    let pending: Buffer = Buffer.alloc(0);
    let upgraded = false;
    const ended = new Promise<void>((resolveEnded) => socket.once('close', () => resolveEnded()));
    const client: RawWebSocket = {
      texts,
      ended,
      sendText(text) {
        const payload = Buffer.from(text);
        const mask = Buffer.from([1, 2, 3, 4]);
        const header =
          payload.length < 126
            ? Buffer.from([0x81, 0x80 | payload.length])
            : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
        const masked = payload.map((byte, index) => byte ^ mask[index % 4]!);
        socket.write(Buffer.concat([header, mask, masked]));
      },
      destroy: () => socket.destroy(),
    };
    socket.on('connect', () => socket.write(requestHead));
    socket.on('data', (chunk: Buffer) => {
      if (!upgraded) {
        const bytes = Buffer.concat([Buffer.from(head, 'latin1'), chunk]);
        const end = bytes.indexOf('\r\n\r\n');
        if (end < 0) {
          head = bytes.toString('latin1');
          return;
        }
        const status = /^HTTP\/1\.1 (\d{3})/.exec(bytes.toString('latin1'))?.[1];
        if (status !== '101') return reject(new Error(`HTTP ${status ?? 'answer without a status'}`));
        upgraded = true;
        chunk = bytes.subarray(end + 4);
        resolve(client);
      }
      pending = takeFrames(Buffer.concat([pending, chunk]), texts);
    });
    socket.on('error', reject);
  });
}
