import { status } from '@grpc/grpc-js';
import { RpcCaller, type CallPolicy } from '../../../gateway/src/rpc/caller';
import type { RpcTransport } from '../../../gateway/src/rpc/transport';
import type { RpcMethod, RpcRequest, RpcResponse } from '../../../gateway/src/rpc/proto';
import { ErrorCode } from '../../../shared/src/errors';
import { Metrics } from '../../../shared/src/metrics';

const DISCONNECT: RpcRequest<'disconnect'> = { identifiers: '', subscriptions: [], env: { url: '', headers: {} } };

/** A transport whose attempts fail with the queued gRPC codes, then succeed; it notes each attempt's deadline. */
class ScriptedTransport implements RpcTransport {
  readonly deadlines: number[] = [];

  constructor(private readonly failures: status[] = []) {}

  call<M extends RpcMethod>(_method: M, _request: RpcRequest<M>, _sid: string, deadline: Date): Promise<RpcResponse<M>> {
    this.deadlines.push(deadline.getTime());
    const code = this.failures.shift();
    if (code !== undefined) return Promise.reject(Object.assign(new Error(status[code]), { code }));
    return Promise.resolve({ status: 'SUCCESS', error_msg: '' } as RpcResponse<M>);
  }
}

function caller(transport: RpcTransport, policy: Partial<CallPolicy> = {}): RpcCaller {
  return new RpcCaller(
    transport,
    { concurrency: 2, commandTimeoutMs: 3000, requestTimeoutMs: 0, ...policy },
    new Metrics('cableway_'),
  );
}

describe('RpcCaller', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  test('gives each attempt the rest of the command budget when there is no request timeout', async () => {
    const transport = new ScriptedTransport();
    await caller(transport).call('disconnect', DISCONNECT, { sid: 's1' });

    expect(transport.deadlines).toEqual([1_000_000 + 3000]);
  });

  test('gives each attempt the request timeout when it ends before the budget', async () => {
    const transport = new ScriptedTransport();
    await caller(transport, { requestTimeoutMs: 500 }).call('disconnect', DISCONNECT, { sid: 's1' });

    expect(transport.deadlines).toEqual([1_000_000 + 500]);
  });

  test('gives a retry only what is left of the budget', async () => {
    const transport = new ScriptedTransport([status.UNAVAILABLE, status.UNAVAILABLE]);
    const call = caller(transport, { requestTimeoutMs: 2900 }).call('disconnect', DISCONNECT, { sid: 's1' });
    await jest.advanceTimersByTimeAsync(300);
    await call;

    expect(transport.deadlines).toEqual([1_000_000 + 2900, 1_000_000 + 3000, 1_000_000 + 3000]);
  });

  test('stops retrying when the next delay would pass the budget', async () => {
    const transport = new ScriptedTransport(Array(10).fill(status.UNAVAILABLE));
    const call = caller(transport, { commandTimeoutMs: 1000 }).call('disconnect', DISCONNECT, { sid: 's1' });
    const outcome = expect(call).rejects.toMatchObject({ code: ErrorCode.RpcFailed });
    await jest.advanceTimersByTimeAsync(1000);
    await outcome;

    // Retries after 100, 200 and 400 ms; the next one, 800 ms later, would end past the 1000 ms budget.
    expect(transport.deadlines).toHaveLength(4);
  });

  test('fails at once on a gRPC status that is not worth a retry', async () => {
    const transport = new ScriptedTransport([status.INVALID_ARGUMENT]);

    await expect(caller(transport).call('disconnect', DISCONNECT, { sid: 's1' })).rejects.toMatchObject({
      code: ErrorCode.RpcFailed,
    });
    expect(transport.deadlines).toHaveLength(1);
  });

  test('does not retry once the session has closed', async () => {
    const transport = new ScriptedTransport([status.RESOURCE_EXHAUSTED]);
    let closed = false;
    const call = caller(transport).call('disconnect', DISCONNECT, { sid: 's1', isCanceled: () => closed });
    const outcome = expect(call).rejects.toMatchObject({ code: ErrorCode.RpcCanceled });
    await jest.advanceTimersByTimeAsync(0);
    closed = true;
    await jest.advanceTimersByTimeAsync(10);
    await outcome;

    expect(transport.deadlines).toHaveLength(1);
  });
});
