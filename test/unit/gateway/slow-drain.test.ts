import { drainSlowly, planSlowDrain } from '../../../gateway/src/lifecycle/slow-drain';

describe('a slow drain', () => {
  it('spreads its disconnects evenly over five sixths of the time left', () => {
    expect(planSlowDrain(200, 6_000, 500)).toEqual({ windowMs: 5_000, intervalMs: 25 });
  });

  it('waits at most the max interval between two disconnects', () => {
    expect(planSlowDrain(4, 30_000, 500)).toEqual({ windowMs: 2_000, intervalMs: 500 });
    expect(planSlowDrain(0, 30_000, 500)).toEqual({ windowMs: 0, intervalMs: 0 });
  });

  it('disconnects each item once, in order, at its moment', async () => {
    const seen: Array<{ item: string; at: number }> = [];
    const start = Date.now();
    await drainSlowly(['a', 'b', 'c'], { windowMs: 120, intervalMs: 40 }, (item) => seen.push({ item, at: Date.now() - start }));
    expect(seen.map(({ item }) => item)).toEqual(['a', 'b', 'c']);
    expect(seen[2]!.at).toBeGreaterThanOrEqual(80);
  });
});
