import { originAllowed } from '../../../gateway/src/server/origin';
import { negotiateProtocol, offeredProtocols } from '../../../gateway/src/server/subprotocol';
import { routePattern } from '../../../gateway/src/server/websocket';
import { Keepalive } from '../../../gateway/src/session/keepalive';
import { Traffic } from '../../../gateway/src/metrics/traffic';
import { Metrics } from '../../../shared/src/metrics';
import { mergeState } from '../../../gateway/src/session/state';

describe('allowed origins', () => {
  it('accepts every origin when none are configured', () => {
    expect(originAllowed(undefined, [])).toBe(true);
  });

  it('compares host and port, and matches * entries by suffix', () => {
    const allowed = ['example.com', '*.example.org', 'localhost:3000'];
    expect(originAllowed('https://example.com', allowed)).toBe(true);
    expect(originAllowed('https://EXAMPLE.com', allowed)).toBe(true);
    expect(originAllowed('https://app.example.org', allowed)).toBe(true);
    expect(originAllowed('http://localhost:3000', allowed)).toBe(true);
    expect(originAllowed('http://localhost:3001', allowed)).toBe(false);
    expect(originAllowed('https://evil.com', allowed)).toBe(false);
    expect(originAllowed(undefined, allowed)).toBe(false);
    expect(originAllowed('not a url', allowed)).toBe(false);
  });
});

describe('WebSocket paths', () => {
  it('turns anycable-go path patterns into uWS routes', () => {
    expect(routePattern('/cable')).toBe('/cable');
    expect(routePattern('/accounts/{tenant}/cable')).toBe('/accounts/:tenant/cable');
    expect(routePattern('/admin/cable/*')).toBe('/admin/cable/*');
  });
});

describe('sub-protocols', () => {
  it('selects actioncable-v1-json from what Action Cable offers and ignores token protocols', () => {
    expect(negotiateProtocol(offeredProtocols('actioncable-v1-json, actioncable-unsupported'))).toBe('actioncable-v1-json');
    expect(negotiateProtocol(offeredProtocols('anycable-token.abc, actioncable-v1-json'))).toBe('actioncable-v1-json');
    expect(negotiateProtocol(offeredProtocols(''))).toBeUndefined();
    expect(negotiateProtocol(offeredProtocols('graphql-ws'))).toBeUndefined();
  });
});

describe('keepalive topics', () => {
  const keepalive = new Keepalive({ publish: () => undefined }, 3, 's', new Traffic(new Metrics('test_')));

  it('uses the configured interval and precision unless the query says otherwise', () => {
    expect(keepalive.topicFor(new URLSearchParams(''))).toBe('ping:3:s');
    expect(keepalive.topicFor(new URLSearchParams('pi=5&ptp=ms'))).toBe('ping:5:ms');
    expect(keepalive.topicFor(new URLSearchParams('ptp=ns'))).toBe('ping:3:ns');
  });

  it('sends no pings with pi=0 and ignores values it cannot use', () => {
    expect(keepalive.topicFor(new URLSearchParams('pi=0'))).toBeNull();
    expect(keepalive.topicFor(new URLSearchParams('pi=abc&ptp=hours'))).toBe('ping:3:s');
    expect(keepalive.topicFor(new URLSearchParams('pi=-1'))).toBe('ping:3:s');
  });
});

describe('state changes', () => {
  it('adds and replaces keys, and deletes those set to an empty string', () => {
    expect(mergeState({ a: '1', b: '2' }, { b: '3', c: '4', a: '' })).toEqual({ b: '3', c: '4' });
    expect(mergeState(null, { a: '' })).toBeNull();
    expect(mergeState({ a: '1' }, undefined)).toEqual({ a: '1' });
  });
});
