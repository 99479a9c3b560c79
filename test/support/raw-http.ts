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

/**
 * Writes `request` as is on a new TCP connection (no HTTP client to fix it up) and collects the answer
 * until the server closes the connection or `deadlineMs` passes.
 */
export function rawHttp(port: number, request: string, deadlineMs = 1000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(parse(raw, false));
    }, deadlineMs);
    socket.on('connect', () => socket.write(request));
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
