import { StringInterner } from '../../../gateway/src/server/interner';

describe('StringInterner', () => {
  it('gives back an equal string and keeps one entry per distinct value', () => {
    const interner = new StringInterner(10);
    const built = ['http://', 'example.com', '/cable'].join('');
    expect(interner.intern(built)).toBe('http://example.com/cable');
    expect(interner.intern(`http://example.com${'/cable'}`)).toBe('http://example.com/cable');
    expect(interner.intern('127.0.0.1')).toBe('127.0.0.1');
    expect(interner.size).toBe(2);
  });

  it('starts over once full, so distinct values never pile up', () => {
    const interner = new StringInterner(3);
    for (const value of ['a', 'b', 'c']) interner.intern(value);
    expect(interner.size).toBe(3);
    expect(interner.intern('d')).toBe('d');
    expect(interner.size).toBe(1);
    expect(interner.intern('a')).toBe('a');
    expect(interner.size).toBe(2);
  });
});
