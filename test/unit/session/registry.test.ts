import type { Connection } from '../../../gateway/src/core/connection';
import { DEFAULT_PROTOCOL } from '../../../gateway/src/core/protocol';
import { SessionRegistry } from '../../../gateway/src/session/registry';
import { Session } from '../../../gateway/src/session/session';

const connection: Connection = {
  send: () => undefined,
  subscribe: () => undefined,
  unsubscribe: () => undefined,
  publishToOthers: () => false,
  ping: () => undefined,
  bufferedAmount: () => 0,
  close: () => undefined,
};

function session(sid: string, identifiers: string): Session {
  return new Session(sid, identifiers, { url: '/', headers: {} }, connection, DEFAULT_PROTOCOL, null, null, false);
}

describe('SessionRegistry', () => {
  it('finds every session of the same identifiers, one or many, until each is removed', () => {
    const registry = new SessionRegistry();
    const [alone, first, second, third] = [
      session('a', '{"u":1}'),
      session('b', '{"u":2}'),
      session('c', '{"u":2}'),
      session('d', '{"u":2}'),
    ];
    for (const entry of [alone, first, second, third]) registry.add(entry);
    expect(registry.withIdentifiers('{"u":1}')).toEqual([alone]);
    expect(registry.withIdentifiers('{"u":2}')).toEqual([first, second, third]);
    expect([registry.size, registry.uniqueIdentifiers]).toEqual([4, 2]);

    registry.remove(second);
    registry.remove(first);
    expect(registry.withIdentifiers('{"u":2}')).toEqual([third]);
    registry.add(first);
    expect(registry.withIdentifiers('{"u":2}')).toEqual([third, first]);
    registry.remove(third);
    registry.remove(first);
    registry.remove(alone);
    expect(registry.withIdentifiers('{"u":2}')).toEqual([]);
    expect(registry.withIdentifiers('{"u":1}')).toEqual([]);
    expect([registry.size, registry.uniqueIdentifiers]).toEqual([0, 0]);
  });

  it('counts a session added twice once', () => {
    const registry = new SessionRegistry();
    const only = session('a', '{"u":1}');
    registry.add(only);
    registry.add(only);
    expect(registry.withIdentifiers('{"u":1}')).toEqual([only]);
    registry.remove(only);
    expect([registry.size, registry.uniqueIdentifiers]).toEqual([0, 0]);
  });

  it('finds a session by sid; a repeated sid does not hide the sessions that share it', () => {
    const registry = new SessionRegistry();
    const [older, newer] = [session('same', '{"u":1}'), session('same', '{"u":2}')];
    registry.add(older);
    registry.add(newer);
    expect(registry.find('same')).toBe(newer);
    registry.remove(older);
    expect(registry.find('same')).toBe(newer);
    expect([...registry.all()]).toEqual([newer]);
  });
});
