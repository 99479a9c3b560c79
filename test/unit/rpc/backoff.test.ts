import { status } from '@grpc/grpc-js';
import { Backoff } from '../../../gateway/src/rpc/backoff';

function delays(codes: readonly status[]): (number | null)[] {
  const backoff = new Backoff();
  return codes.map((code) => backoff.next(code));
}

describe('Backoff', () => {
  test('doubles a 10 ms delay after each ResourceExhausted', () => {
    expect(delays(Array(5).fill(status.RESOURCE_EXHAUSTED))).toEqual([10, 20, 40, 80, 160]);
  });

  test('doubles a 100 ms delay after each Unavailable', () => {
    expect(delays(Array(4).fill(status.UNAVAILABLE))).toEqual([100, 200, 400, 800]);
  });

  test('counts attempts afresh when the kind of failure changes', () => {
    const codes = [status.RESOURCE_EXHAUSTED, status.RESOURCE_EXHAUSTED, status.UNAVAILABLE, status.RESOURCE_EXHAUSTED];
    expect(delays(codes)).toEqual([10, 20, 100, 10]);
  });

  test.each([status.DEADLINE_EXCEEDED, status.INTERNAL, status.UNKNOWN, status.CANCELLED])(
    'gives up at once on gRPC status %s',
    (code) => {
      expect(delays([code])).toEqual([null]);
    },
  );

  test('gives up at once on an error without a gRPC status', () => {
    expect(new Backoff().next(undefined)).toBeNull();
  });
});
