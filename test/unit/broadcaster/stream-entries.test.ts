import { entriesOfClaim, entriesOfRead } from '../../../broadcaster/src/adapters/stream-entries';

describe('redisx replies', () => {
  test('reads the id and payload of each entry of an XREADGROUP answer', () => {
    const reply = [
      [
        '__anycable__',
        [
          ['1-0', ['payload', '{"a":1}']],
          ['2-0', ['other', 'x', 'payload', '{"b":2}']],
        ],
      ],
    ];
    expect(entriesOfRead(reply)).toEqual([
      { id: '1-0', payload: '{"a":1}' },
      { id: '2-0', payload: '{"b":2}' },
    ]);
  });

  test('reads nothing from the nil answer of a block that timed out', () => {
    expect(entriesOfRead(null)).toEqual([]);
  });

  test('marks an entry without a payload field', () => {
    expect(entriesOfRead([['s', [['1-0', ['body', 'x']]]]])).toEqual([{ id: '1-0', payload: null }]);
  });

  test('reads the claimed entries of an XAUTOCLAIM answer', () => {
    expect(entriesOfClaim(['0-0', [['3-0', ['payload', 'p']]], []])).toEqual([{ id: '3-0', payload: 'p' }]);
  });
});
