import { createHash } from 'node:crypto';

/** Where streams go whose name cannot be a subject as it is: `<prefix>_cableway.h.<sha256 of the name>`. */
const HASHED = '_cableway.h.';
/** Longer names are hashed as well: every protocol line carries the subject, and servers bound its length. */
const MAX_LITERAL_LENGTH = 256;
const TOKEN = /^[^\s*>\p{Cc}]+$/u;

/** Non-empty tokens joined by dots, with no whitespace, control character or wildcard anywhere. */
export function isLiteralSubject(subject: string): boolean {
  return subject.split('.').every((token) => TOKEN.test(token));
}

/**
 * The subject of each stream on the node-to-node pub/sub: the stream name itself (after the prefix), as in
 * anycable-go, whenever that is a literal subject. A name that is not (a space would end the subject in the
 * protocol line, `*` or `>` would subscribe to other streams) or that would take a reserved subject is
 * carried on a hashed subject instead. No literal name takes the hashed form, so no two streams share a
 * subject.
 */
export class StreamSubjects {
  constructor(
    private readonly prefix: string,
    /** The subjects of the broadcast input and of remote commands. */
    private readonly reserved: ReadonlySet<string>,
  ) {}

  of(stream: string): string {
    const literal = this.prefix + stream;
    if (
      stream.length <= MAX_LITERAL_LENGTH &&
      !stream.startsWith(HASHED) &&
      !this.reserved.has(literal) &&
      isLiteralSubject(literal)
    ) {
      return literal;
    }
    return `${this.prefix}${HASHED}${createHash('sha256').update(stream).digest('hex')}`;
  }
}
