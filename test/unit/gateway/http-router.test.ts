import { createLogger } from '../../../shared/src/logger';
import { HttpRouter, statusLine, type Route, type RouteRequest } from '../../../gateway/src/server/http-router';

function router(): { routes: HttpRouter; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', format: 'json', sink: (line) => lines.push(line) });
  return { routes: new HttpRouter(logger), lines };
}

const request = (method: string, path: string): RouteRequest => ({ method, path, authorization: '', body: Buffer.alloc(0) });

function route(path: string, methods: readonly string[] | null, handle: Route['handle'] = () => ({ status: 200 })): Route {
  return { path, methods, maxBodySize: 0, handle };
}

describe('the HTTP router both servers share', () => {
  test('answers HEAD through the GET route, and no other method', () => {
    const { routes } = router();
    const metrics = route('/metrics', ['GET']);
    routes.add(metrics);
    expect(routes.find('GET', '/metrics')).toBe(metrics);
    expect(routes.find('HEAD', '/metrics')).toBe(metrics);
    expect(routes.find('POST', '/metrics')).toBeUndefined();
  });

  test('gives every method to a route without a method list', () => {
    const { routes } = router();
    const health = route('/health', null);
    routes.add(health);
    for (const method of ['GET', 'HEAD', 'POST', 'OPTIONS']) expect(routes.find(method, '/health')).toBe(health);
  });

  test('answers 404 where no route matches', async () => {
    const { routes } = router();
    expect(await routes.reply(routes.find('GET', '/elsewhere'), request('GET', '/elsewhere'))).toEqual({ status: 404 });
  });

  test('answers 500 for a failing route and logs it once', async () => {
    const { routes, lines } = router();
    routes.add(route('/metrics', ['GET'], () => Promise.reject(new Error('registry broke'))));
    expect(await routes.reply(routes.find('GET', '/metrics'), request('GET', '/metrics'))).toEqual({ status: 500 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('registry broke');
  });

  test('answers a route that throws 500 as well, at once, and logs it once', () => {
    const { routes, lines } = router();
    routes.add(
      route('/metrics', ['GET'], () => {
        throw new Error('registry broke at once');
      }),
    );
    expect(routes.reply(routes.find('GET', '/metrics'), request('GET', '/metrics'))).toEqual({ status: 500 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('registry broke at once');
  });

  test('hands over the reply of a route that answers at once in the same turn, not as a promise', () => {
    const { routes } = router();
    routes.add(route('/health', null, () => ({ status: 200, body: 'Ok' })));
    expect(routes.reply(routes.find('GET', '/health'), request('GET', '/health'))).toEqual({ status: 200, body: 'Ok' });
  });

  test('writes status lines with their reason phrase', () => {
    expect([201, 413, 503].map(statusLine)).toEqual(['201 Created', '413 Payload Too Large', '503 Service Unavailable']);
  });
});
