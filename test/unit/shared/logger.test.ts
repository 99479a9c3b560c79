import { RateLimitedLog, createLogger } from '../../../shared/src/logger';

describe('logger', () => {
  it('writes text lines with bound fields and leaves out levels below the minimum', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      format: 'text',
      fields: { nodeid: 'n1' },
      sink: (line) => lines.push(line),
    }).child({
      component: 'rpc',
    });
    logger.debug('hidden');
    logger.info('call failed', { error: 'no route', attempt: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INF call failed nodeid=n1 component=rpc error="no route" attempt=2$/,
    );
  });

  it('writes JSON lines and truncates long values', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', sink: (line) => lines.push(line) });
    logger.warn('bad frame', { frame: 'x'.repeat(1000) });
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({ level: 'WARN', msg: 'bad frame' });
    expect(record.frame.length).toBeLessThan(300);
  });

  it('rate-limits a flood of one kind of line and reports how many were suppressed', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', format: 'text', sink: (line) => lines.push(line) });
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const log = new RateLimitedLog(logger, 'warn', 3, 1000);
    for (let i = 0; i < 50; i += 1) log.log('malformed frame');
    expect(lines).toHaveLength(3);
    now.mockReturnValue(1_002_000);
    log.log('malformed frame');
    expect(lines[3]).toContain('similar log lines suppressed count=47');
    expect(lines).toHaveLength(5);
    now.mockRestore();
  });
});
