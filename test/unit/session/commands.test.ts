import { HistoryError } from '../../../shared/src/errors';
import type { CommandResult } from '../../../gateway/src/core/controller';
import type { StreamHistory } from '../../../gateway/src/broker/history';
import { CommandProcessor } from '../../../gateway/src/session/commands';
import { HistoryReplay } from '../../../gateway/src/session/history-replay';
import { PresenceTracker } from '../../../gateway/src/session/presence';
import { decodeCommand } from '../../../gateway/src/protocol/commands';
import {
  RecordingConnection,
  RecordingPublisher,
  RecordingRouter,
  ScriptedController,
  counterValue,
  counters,
  newSession,
  recordingLogger,
  success,
} from './fakes';

const CHAT = '{"channel":"ChatChannel","id":1}';

function setup(
  answer: (call: { kind: string }) => CommandResult = () => success(),
  listening?: Promise<void>,
  history: StreamHistory | null = null,
) {
  const controller = new ScriptedController(answer);
  const router = new RecordingRouter(listening);
  const publisher = new RecordingPublisher();
  const { metrics, counters: messageCounters } = counters();
  const { logger, lines } = recordingLogger();
  const replay = new HistoryReplay(history, router, logger, metrics);
  const presence = new PresenceTracker(null, publisher, 15, logger, metrics);
  const processor = new CommandProcessor(controller, router, publisher, replay, presence, null, messageCounters, logger);
  const connection = new RecordingConnection();
  const session = newSession(connection);
  const send = (frame: object) => processor.handle(session, decodeCommand(JSON.stringify(frame)));
  return { controller, router, publisher, metrics, lines, processor, connection, session, send };
}

describe('command application', () => {
  it('answers ping with pong', async () => {
    const { send, connection } = setup();
    await send({ command: 'ping' });
    expect(connection.sent).toEqual(['{"type":"pong"}']);
  });

  it('starts the streams of a confirmed subscription before its confirmation is written', async () => {
    let release!: () => void;
    const listening = new Promise<void>((resolve) => (release = resolve));
    const { send, connection, router, session } = setup(
      () => success({ streams: ['chat:1'], transmissions: ['confirmed'], istate: { room: '1' } }),
      listening,
    );
    const done = send({ command: 'subscribe', identifier: CHAT });
    await new Promise((resolve) => setImmediate(resolve));
    expect(router.events).toEqual([`+chat:1@${CHAT}`]);
    expect(connection.sent).toEqual([]);
    release();
    await done;
    expect(connection.sent).toEqual(['confirmed']);
    expect(session.subscription(CHAT)?.istate).toEqual({ room: '1' });
  });

  it('ignores a repeated subscribe of a confirmed identifier: no call, no answer, counted as failed', async () => {
    const { send, connection, controller, metrics } = setup(() => success({ transmissions: ['confirmed'] }));
    await send({ command: 'subscribe', identifier: CHAT });
    await send({ command: 'subscribe', identifier: CHAT });
    expect(controller.calls).toHaveLength(1);
    expect(connection.sent).toEqual(['confirmed']);
    expect(await counterValue(metrics, 'failed_client_msg_total')).toBe(1);
  });

  it('relays a rejection and records no subscription', async () => {
    const { send, connection, session, router } = setup(() => ({
      ...success({ transmissions: ['rejected'] }),
      status: 'FAILURE',
    }));
    await send({ command: 'subscribe', identifier: CHAT });
    expect(connection.sent).toEqual(['rejected']);
    expect(session.subscription(CHAT)).toBeUndefined();
    expect(router.events).toEqual([]);
  });

  it('stops every stream of a subscription on unsubscribe and forgets it', async () => {
    const { send, session, router } = setup((call) => (call.kind === 'subscribe' ? success({ streams: ['a', 'b'] }) : success()));
    await send({ command: 'subscribe', identifier: CHAT });
    await send({ command: 'unsubscribe', identifier: CHAT });
    expect(router.events).toEqual([`+a@${CHAT}`, `+b@${CHAT}`, `-a@${CHAT}`, `-b@${CHAT}`]);
    expect(session.subscription(CHAT)).toBeUndefined();
  });

  it('applies a perform result in order: streams stopped, streams started, state, frames', async () => {
    const { send, session, router, connection, controller } = setup((call) =>
      call.kind === 'subscribe'
        ? success({ streams: ['a'] })
        : success({ stoppedStreams: ['a'], streams: ['b'], cstate: { seen: '1' }, transmissions: ['done'] }),
    );
    await send({ command: 'subscribe', identifier: CHAT });
    await send({ command: 'message', identifier: CHAT, data: '{"action":"move"}' });
    expect(controller.calls[1]).toMatchObject({ kind: 'perform', data: '{"action":"move"}' });
    expect(router.events).toEqual([`+a@${CHAT}`, `-a@${CHAT}`, `+b@${CHAT}`]);
    expect(session.cstate).toEqual({ seen: '1' });
    expect(connection.sent).toEqual(['done']);
  });

  it('refuses a message for an identifier that is not subscribed, without calling the controller', async () => {
    const { send, controller, metrics } = setup();
    await send({ command: 'message', identifier: CHAT, data: '{}' });
    expect(controller.calls).toEqual([]);
    expect(await counterValue(metrics, 'failed_client_msg_total')).toBe(1);
  });

  it('closes the connection after a result asking for a disconnect', async () => {
    const { send, connection } = setup((call) => (call.kind === 'subscribe' ? success() : success({ disconnect: true })));
    await send({ command: 'subscribe', identifier: CHAT });
    await send({ command: 'message', identifier: CHAT, data: '{}' });
    expect(connection.closedWith).toEqual([1006, 'Command Failed']);
  });

  it('counts and logs an ERROR result, applying nothing of it', async () => {
    const { send, session, lines, metrics } = setup(() => ({
      ...success({ streams: ['a'] }),
      status: 'ERROR',
      errorMessage: 'boom',
    }));
    await send({ command: 'subscribe', identifier: CHAT });
    expect(session.subscription(CHAT)).toBeUndefined();
    expect(await counterValue(metrics, 'failed_client_msg_total')).toBe(1);
    expect(lines.some((line) => line.includes('command answered with ERROR') && line.includes('boom'))).toBe(true);
  });

  it('publishes a whisper to the subscription stream, transient and not echoed to its sender', async () => {
    const { send, publisher, session } = setup(() => success({ istate: { $w: 'room' } }));
    await send({ command: 'subscribe', identifier: CHAT });
    await send({ command: 'whisper', identifier: CHAT, data: { typing: true } });
    expect(publisher.published).toEqual([
      { stream: 'room', data: '{"typing":true}', meta: { exclude_socket: session.sid, transient: true } },
    ]);
  });

  describe('history', () => {
    const position = { epoch: 'e1', offset: 2 };
    const message = (offset: number) => ({ stream: 'chat:1', data: String(offset), position: { epoch: 'e1', offset } });
    const fromHistory = (after: StreamHistory['after']): StreamHistory => ({ after, since: async () => [message(9)] });

    it('starts the streams of a subscribe carrying history held, confirms, then writes the backlog and confirm_history', async () => {
      const history = fromHistory(async () => [message(3)]);
      const { send, router, connection } = setup(
        () => success({ streams: ['chat:1'], transmissions: ['confirmed'] }),
        undefined,
        history,
      );
      await send({ command: 'subscribe', identifier: CHAT, history: { streams: { 'chat:1': position } } });
      expect(router.events).toEqual([`held +chat:1@${CHAT}`, `hold chat:1@${CHAT}`, `release chat:1@${CHAT} with 1`]);
      expect(connection.sent).toEqual(['confirmed', `{"type":"confirm_history","identifier":${JSON.stringify(CHAT)}}`]);
    });

    it('reads what was stored since a time for streams the client has no position on', async () => {
      const history = fromHistory(async () => []);
      const { send, router } = setup(() => success({ streams: ['chat:1'] }), undefined, history);
      await send({ command: 'subscribe', identifier: CHAT });
      await send({ command: 'history', identifier: CHAT, history: { since: 1700000000 } });
      expect(router.events.at(-1)).toBe(`release chat:1@${CHAT} with 1`);
    });

    it('answers reject_history when the history cannot continue, and resumes live delivery', async () => {
      const history = fromHistory(async () => {
        throw new HistoryError('unknown epoch');
      });
      const { send, router, connection, metrics } = setup(() => success({ streams: ['chat:1'] }), undefined, history);
      await send({ command: 'subscribe', identifier: CHAT });
      await send({ command: 'history', identifier: CHAT, history: { streams: { 'chat:1': position } } });
      expect(connection.sent).toEqual([`{"type":"reject_history","identifier":${JSON.stringify(CHAT)}}`]);
      expect(router.events.at(-1)).toBe(`release chat:1@${CHAT} with 0`);
      expect(await counterValue(metrics, 'history_rejects_total')).toBe(1);
    });

    it('rejects every history request without a broker', async () => {
      const { send, connection } = setup(() => success({ streams: ['chat:1'] }));
      await send({ command: 'subscribe', identifier: CHAT });
      await send({ command: 'history', identifier: CHAT, history: { since: 1 } });
      expect(connection.sent).toEqual([`{"type":"reject_history","identifier":${JSON.stringify(CHAT)}}`]);
    });
  });
});
