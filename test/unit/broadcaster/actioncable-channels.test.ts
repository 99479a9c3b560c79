import { actionCableChannel, actionCablePattern } from '../../../broadcaster/src/adapters/actioncable';

describe("Rails' Action Cable channels", () => {
  test('join the prefix and the stream with a colon, or are the bare stream without a prefix', () => {
    expect(actionCableChannel('myapp_production', 'chat_1')).toBe('myapp_production:chat_1');
    expect(actionCableChannel('', 'chat_1')).toBe('chat_1');
  });

  test('are matched, every stream at once, by a pattern in which the prefix stands for itself', () => {
    expect(actionCablePattern('myapp_production')).toBe('myapp_production:*');
    expect(actionCablePattern('')).toBe('*');
    expect(actionCablePattern('a*b?[c]\\')).toBe('a\\*b\\?\\[c\\]\\\\:*');
  });
});
