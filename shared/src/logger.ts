/**
 * A small structured logger: levels, bound fields per component or session, text or JSON lines on stdout.
 * Hot paths check `enabled(level)` before building fields.
 */
export const LogLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LogLevels)[number];
export const LogFormats = ['text', 'json'] as const;
export type LogFormat = (typeof LogFormats)[number];

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  enabled(level: LogLevel): boolean;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const textTag: Record<LogLevel, string> = { debug: 'DBG', info: 'INF', warn: 'WRN', error: 'ERR' };
const MAX_VALUE_LENGTH = 200;

/** Client- and publisher-supplied values can be huge; a log line keeps only their start. */
function compact(value: unknown): unknown {
  if (typeof value === 'string' && value.length > MAX_VALUE_LENGTH) {
    return `${value.slice(0, MAX_VALUE_LENGTH)}...(${value.length} chars)`;
  }
  return value;
}

function textValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return /[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text;
}

function timestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

class LineLogger implements Logger {
  constructor(
    private readonly minRank: number,
    private readonly format: LogFormat,
    private readonly sink: LogSink,
    private readonly bound: LogFields,
  ) {}

  enabled(level: LogLevel): boolean {
    return rank[level] >= this.minRank;
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  child(fields: LogFields): Logger {
    return new LineLogger(this.minRank, this.format, this.sink, { ...this.bound, ...fields });
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (rank[level] < this.minRank) return;
    const all = fields ? { ...this.bound, ...fields } : this.bound;
    const now = new Date();
    if (this.format === 'json') {
      const record: Record<string, unknown> = { time: now.toISOString(), level: level.toUpperCase(), msg: message };
      for (const [key, value] of Object.entries(all)) record[key] = compact(value);
      this.sink(JSON.stringify(record));
      return;
    }
    let line = `${timestamp(now)} ${textTag[level]} ${message}`;
    for (const [key, value] of Object.entries(all)) {
      if (value !== undefined) line += ` ${key}=${textValue(compact(value))}`;
    }
    this.sink(line);
  }
}

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(options: { level: LogLevel; format: LogFormat; fields?: LogFields; sink?: LogSink }): Logger {
  return new LineLogger(rank[options.level], options.format, options.sink ?? stdoutSink, options.fields ?? {});
}

/**
 * Logs at most `limit` lines per `intervalMs` for one kind of event, then one line saying how many were
 * suppressed, so that a client flooding bad input cannot fill a disk.
 */
export class RateLimitedLog {
  private windowStart = 0;
  private written = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly level: LogLevel,
    private readonly limit = 10,
    private readonly intervalMs = 10_000,
  ) {}

  log(message: string, fields?: LogFields): void {
    if (!this.logger.enabled(this.level)) return;
    const now = Date.now();
    if (now - this.windowStart >= this.intervalMs) {
      if (this.suppressed > 0) {
        this.logger[this.level]('similar log lines suppressed', { count: this.suppressed, last: message });
      }
      this.windowStart = now;
      this.written = 0;
      this.suppressed = 0;
    }
    if (this.written < this.limit) {
      this.written += 1;
      this.logger[this.level](message, fields);
    } else {
      this.suppressed += 1;
    }
  }
}
