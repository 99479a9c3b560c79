import type { Connection } from '../../../gateway/src/core/connection';
import { DEFAULT_PROTOCOL } from '../../../gateway/src/core/protocol';
import { NativePings } from '../../../gateway/src/session/native-pings';
import { Session } from '../../../gateway/src/session/session';
import { keptCookies } from '../../../gateway/src/session/env';

function sessionOn(topic: string | null): Session & { pings: number } {
  let pings = 0;
  const connection: Connection = {
    send: () => undefined,
    subscribe: () => undefined,
    unsubscribe: () => undefined,
    publishToOthers: () => false,
    ping: () => (pings += 1),
    bufferedAmount: () => 0,
    close: () => undefined,
  };
  const session = new Session('sid', '{}', { url: '/', headers: {} }, connection, DEFAULT_PROTOCOL, topic, null, false);
  return Object.defineProperty(session, 'pings', { get: () => pings }) as Session & { pings: number };
}

describe('native pings', () => {
  it('ping every session of the pinged topic and no other', () => {
    const fast = sessionOn('ping:3:s');
    const slow = sessionOn('ping:10:s');
    const none = sessionOn(null);
    const pings = new NativePings(
      () => [fast, slow, none],
      0,
      () => undefined,
    );
    pings.pinged('ping:3:s');
    expect([fast.pings, slow.pings, none.pings]).toEqual([1, 0, 0]);
  });

  it('disconnect with no_pong a session silent for the pong timeout after a ping, not one that answered', () => {
    const silent = sessionOn('ping:3:s');
    const answering = sessionOn('ping:3:s');
    const noPong: Session[] = [];
    const pings = new NativePings(
      () => [silent, answering],
      6000,
      (session) => noPong.push(session),
    );
    const pingedAt = Date.now();
    pings.pinged('ping:3:s');
    pings.answered(answering);
    pings.sweep(pingedAt + 5000);
    expect(noPong).toEqual([]);
    pings.pinged('ping:3:s');
    pings.answered(answering);
    pings.sweep(pingedAt + 6100);
    expect(noPong).toEqual([silent]);
    pings.sweep(pingedAt + 20_000);
    expect(noPong).toEqual([silent]);
  });

  it('keep the first deadline while pings go unanswered', () => {
    const silent = sessionOn('ping:1:s');
    const noPong: Session[] = [];
    const pings = new NativePings(
      () => [silent],
      2000,
      (session) => noPong.push(session),
    );
    const pingedAt = Date.now();
    pings.pinged('ping:1:s');
    pings.pinged('ping:1:s');
    pings.sweep(pingedAt + 2100);
    expect(noPong).toEqual([silent]);
  });
});

describe('--proxy-cookies', () => {
  it('keeps only the named cookies, as name=value;', () => {
    const header = '_session_id=abc==; theme=dark; locale=en';
    expect(keptCookies(header, ['_session_id', 'locale'])).toBe('_session_id=abc==;locale=en;');
    expect(keptCookies(header, ['missing'])).toBe('');
    expect(keptCookies(header, [])).toBe(header);
    expect(keptCookies(undefined, ['_session_id'])).toBeUndefined();
  });
});
