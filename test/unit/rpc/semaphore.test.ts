import { Semaphore } from '../../../gateway/src/rpc/semaphore';

describe('Semaphore', () => {
  test('lets in at most its capacity and counts the rest as pending', async () => {
    const semaphore = new Semaphore(2);
    const entered: number[] = [];
    for (const id of [1, 2, 3, 4]) void semaphore.acquire().then(() => entered.push(id));
    await Promise.resolve();

    expect(entered).toEqual([1, 2]);
    expect(semaphore.pending).toBe(2);
  });

  test('lets waiters in in the order they arrived', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const entered: number[] = [];
    for (const id of [1, 2, 3]) void semaphore.acquire().then(() => entered.push(id));

    for (let released = 1; released <= 3; released += 1) {
      semaphore.release();
      await Promise.resolve();
      expect(entered).toEqual([1, 2, 3].slice(0, released));
    }
  });

  test('hands a released slot to a waiter before a newcomer', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const entered: string[] = [];
    void semaphore.acquire().then(() => entered.push('waiter'));
    semaphore.release();
    void semaphore.acquire().then(() => entered.push('newcomer'));
    await Promise.resolve();

    expect(entered).toEqual(['waiter']);
    expect(semaphore.pending).toBe(1);
  });

  test('frees the slot when the last holder leaves', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    semaphore.release();
    let entered = false;
    void semaphore.acquire().then(() => (entered = true));
    await Promise.resolve();

    expect(entered).toBe(true);
    expect(semaphore.pending).toBe(0);
  });
});
