import { TokenLocator, jwtHeaderFor } from '../../../gateway/src/auth/token-locator';
import { handshakeWith } from './handshakes';

const locator = new TokenLocator('jid');
const SUBPROTOCOLS = ['actioncable-v1-json', 'anycable-token.from-protocol'];

describe('TokenLocator.locate', () => {
  test('takes the token from the x-jid header before a sub-protocol and the query', () => {
    const handshake = handshakeWith({
      headers: { 'x-jid': 'from-header' },
      protocols: SUBPROTOCOLS,
      query: 'jid=from-query',
    });
    expect(locator.locate(handshake)).toEqual({ token: 'from-header', source: 'header' });
  });

  test('takes the token from an anycable-token sub-protocol before the query', () => {
    const handshake = handshakeWith({ protocols: SUBPROTOCOLS, query: 'jid=from-query' });
    expect(locator.locate(handshake)).toEqual({ token: 'from-protocol', source: 'subprotocol' });
  });

  test('takes the token from the query when no header or sub-protocol carries one', () => {
    const handshake = handshakeWith({ query: 'a=1&jid=from-query' });
    expect(locator.locate(handshake)).toEqual({ token: 'from-query', source: 'query' });
  });

  test('treats an empty x-jid header as absent', () => {
    const handshake = handshakeWith({ headers: { 'x-jid': '' }, protocols: SUBPROTOCOLS });
    expect(locator.locate(handshake)).toEqual({ token: 'from-protocol', source: 'subprotocol' });
  });

  test('ignores an anycable-token sub-protocol with nothing after the prefix', () => {
    expect(locator.locate(handshakeWith({ protocols: ['anycable-token.'] }))).toBeNull();
  });

  test('uses the first value of a repeated query parameter', () => {
    expect(locator.locate(handshakeWith({ query: 'jid=first&jid=second' }))?.token).toBe('first');
  });

  test('treats an empty first query value as no token', () => {
    expect(locator.locate(handshakeWith({ query: 'jid=&jid=second' }))).toBeNull();
  });

  test('URL-decodes the query parameter', () => {
    expect(locator.locate(handshakeWith({ query: 'jid=a%2Eb%3Dc' }))?.token).toBe('a.b=c');
  });

  test('finds nothing when the request carries no token', () => {
    expect(locator.locate(handshakeWith({ query: 'other=1' }))).toBeNull();
  });

  test('follows the configured param name for both the header and the query', () => {
    const custom = new TokenLocator('Token');
    expect(custom.locate(handshakeWith({ headers: { 'x-token': 'h' } }))?.token).toBe('h');
    expect(custom.locate(handshakeWith({ query: 'Token=q' }))?.token).toBe('q');
    expect(custom.locate(handshakeWith({ query: 'jid=q' }))).toBeNull();
  });
});

describe('jwtHeaderFor', () => {
  test('gives the header token under x-jid for the RPC env', () => {
    const handshake = handshakeWith({ headers: { 'x-jid': 't' }, protocols: SUBPROTOCOLS });
    expect(jwtHeaderFor(handshake, 'jid')).toEqual(['x-jid', 't']);
  });

  test('gives a sub-protocol token under x-jid for the RPC env', () => {
    expect(jwtHeaderFor(handshakeWith({ protocols: SUBPROTOCOLS }), 'jid')).toEqual(['x-jid', 'from-protocol']);
  });

  test('gives nothing for a query token, which the RPC env already has in its URL', () => {
    expect(jwtHeaderFor(handshakeWith({ query: 'jid=t' }), 'jid')).toBeNull();
  });

  test('names the entry after the configured param, lower-cased', () => {
    expect(jwtHeaderFor(handshakeWith({ headers: { 'x-token': 't' } }), 'Token')).toEqual(['x-token', 't']);
  });
});
