import type { CommandContext, CommandResult, Controller } from '../../../gateway/src/core/controller';
import type { IdentifierParams } from '../../../gateway/src/channels/identifier-params';
import type { LocalChannel } from '../../../gateway/src/channels/local-channel';
import { ChannelRouter } from '../../../gateway/src/channels/router';
import { rpcAvoidedCounters } from '../../../gateway/src/metrics/rpc-avoided';
import { Metrics } from '../../../shared/src/metrics';
import { success } from '../session/fakes';

const RESULT: CommandResult = success();
const context: CommandContext = {
  sid: 's',
  identifiers: '{}',
  env: { url: 'http://x/cable', headers: {} },
  cstate: {},
  istate: {},
};

function setup() {
  const calls: string[] = [];
  const local: LocalChannel = {
    subscribe: async (_context, identifier, params: IdentifierParams) => {
      calls.push(`local subscribe ${identifier} ${JSON.stringify(params)}`);
      return RESULT;
    },
    unsubscribe: async (_context, identifier) => {
      calls.push(`local unsubscribe ${identifier}`);
      return RESULT;
    },
  };
  const remote: Controller = {
    subscribe: async (_context, identifier) => (calls.push(`rpc subscribe ${identifier}`), RESULT),
    unsubscribe: async (_context, identifier) => (calls.push(`rpc unsubscribe ${identifier}`), RESULT),
    perform: async (_context, identifier, data) => (calls.push(`rpc perform ${identifier} ${data}`), RESULT),
  };
  const router = new ChannelRouter(new Map([['Turbo::StreamsChannel', local]]), remote, rpcAvoidedCounters(new Metrics('t_')));
  return { router, calls };
}

describe('the channel router', () => {
  test('hands a local channel its identifier with the params already parsed, whatever the key order', async () => {
    const { router, calls } = setup();
    const identifier = '{"signed_stream_name":"x","channel":"Turbo::StreamsChannel"}';
    await router.subscribe(context, identifier);
    await router.unsubscribe(context, identifier);
    expect(calls).toEqual([
      `local subscribe ${identifier} {"signed_stream_name":"x","channel":"Turbo::StreamsChannel"}`,
      `local unsubscribe ${identifier}`,
    ]);
  });

  test('sends performs on local channels to the Rails app', async () => {
    const { router, calls } = setup();
    await router.perform(context, '{"channel":"Turbo::StreamsChannel"}', '{"action":"x"}');
    expect(calls).toEqual(['rpc perform {"channel":"Turbo::StreamsChannel"} {"action":"x"}']);
  });

  test.each([
    ['another channel', '{"channel":"ChatChannel"}'],
    ['malformed JSON', '{"channel":'],
    ['a JSON string', '"Turbo::StreamsChannel"'],
    ['an array', '["Turbo::StreamsChannel"]'],
    ['no channel', '{"room":1}'],
    ['a channel that is not a string', '{"channel":{"name":"Turbo::StreamsChannel"}}'],
  ])('sends an identifier with %s to the Rails app', async (_case, identifier) => {
    const { router, calls } = setup();
    await router.subscribe(context, identifier);
    expect(calls).toEqual([`rpc subscribe ${identifier}`]);
  });
});
