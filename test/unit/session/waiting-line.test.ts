import { WaitingLine } from '../../../gateway/src/session/waiting-line';

describe('WaitingLine', () => {
  it('hands items out in arrival order', () => {
    const line = new WaitingLine<number>(3);
    for (const item of [1, 2, 3]) expect(line.push(item)).toBeUndefined();
    expect([line.shift(), line.shift(), line.shift(), line.shift()]).toEqual([1, 2, 3, undefined]);
  });

  it('makes the oldest item give way when full, so the newest keeps its place', () => {
    const line = new WaitingLine<string>(2);
    line.push('junk-1');
    line.push('junk-2');
    expect(line.push('valid')).toBe('junk-1');
    expect([line.shift(), line.shift(), line.shift()]).toEqual(['junk-2', 'valid', undefined]);
  });
});
