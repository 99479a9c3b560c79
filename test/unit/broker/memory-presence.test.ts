import { MemoryPresenceStore } from '../../../gateway/src/broker/memory-presence';
import { presenceEventData, presenceInfoFrame } from '../../../gateway/src/protocol/frames';

function store() {
  let now = 0;
  return { presence: new MemoryPresenceStore(10, () => now), advance: (ms: number) => (now += ms) };
}

describe('memory presence', () => {
  it('has one member per presence id however many sessions join with it', async () => {
    const { presence } = store();
    expect(await presence.join('s', 'sid-1', 'alice', '{"n":1}')).toEqual([
      { stream: 's', type: 'join', id: 'alice', info: '{"n":1}' },
    ]);
    expect(await presence.join('s', 'sid-2', 'alice', '{"n":1}')).toEqual([]);
    expect(await presence.info('s')).toEqual({ total: 1, records: [{ id: 'alice', info: '{"n":1}' }] });
    expect(await presence.leave('s', 'sid-1')).toBeNull();
    expect(await presence.leave('s', 'sid-2')).toEqual({ stream: 's', type: 'leave', id: 'alice' });
    expect(await presence.info('s')).toEqual({ total: 0, records: [] });
  });

  it('moves a session that joins again under another id', async () => {
    const { presence } = store();
    await presence.join('s', 'sid-1', 'alice', '');
    expect(await presence.join('s', 'sid-1', 'bob', '')).toEqual([
      { stream: 's', type: 'leave', id: 'alice' },
      { stream: 's', type: 'join', id: 'bob', info: '' },
    ]);
  });

  it('lets sessions that are not touched lapse after the TTL', async () => {
    const { presence, advance } = store();
    await presence.join('s', 'live', 'alice', '');
    await presence.join('s', 'dropped', 'bob', '');
    advance(6_000);
    await presence.touch('s', ['live']);
    advance(6_000);
    expect(await presence.expire()).toEqual([{ stream: 's', type: 'leave', id: 'bob' }]);
    expect((await presence.info('s')).records.map((record) => record.id)).toEqual(['alice']);
  });
});

describe('presence frames', () => {
  it('encode events and info in anycable-go key order', () => {
    expect(presenceEventData('join', 'alice', '{"name":"A"}')).toBe('{"type":"join","info":{"name":"A"},"id":"alice"}');
    expect(presenceEventData('leave', 'alice')).toBe('{"type":"leave","id":"alice"}');
    expect(presenceInfoFrame('i', [{ id: 'a', info: '1' }, { id: 'b' }])).toBe(
      '{"type":"presence","identifier":"i","message":{"type":"info","total":2,"records":[{"info":1,"id":"a"},{"id":"b"}]}}',
    );
  });
});
