import { Replies } from '../../../gateway/src/workers/replies';

describe('Replies', () => {
  it('answers each request with the reply of its id', async () => {
    const replies = new Replies<string>(1000, 'none');
    const sent: number[] = [];
    const first = replies.request((id) => sent.push(id));
    const second = replies.request((id) => sent.push(id));
    expect(new Set(sent).size).toBe(2);
    replies.settle(sent[1]!, 'second');
    replies.settle(sent[0]!, 'first');
    await expect(Promise.all([first, second])).resolves.toEqual(['first', 'second']);
  });

  it('settles with the fallback when no reply comes in time, and ignores a late one', async () => {
    const replies = new Replies<number>(20, 503);
    let id = 0;
    const status = replies.request((sent) => (id = sent));
    await expect(status).resolves.toBe(503);
    expect(() => replies.settle(id, 201)).not.toThrow();
  });
});
