import vectors from '../../fixtures/rails-vectors.json';

export interface JwtVector {
  readonly name: string;
  readonly key: string;
  readonly token: string;
  readonly expect: 'ok' | 'token_expired' | 'unauthorized' | 'error';
  readonly identifiers?: string;
}

export interface SignedStreamVector {
  readonly name: string;
  readonly kind: 'turbo' | 'cable_ready' | 'pubsub';
  readonly key: string;
  readonly signed: string;
  readonly expect: 'ok' | 'reject';
  readonly stream?: string;
}

/** Tokens and signed stream names made by real Ruby (ruby-jwt, ActiveSupport::MessageVerifier). */
export const jwtVectors = vectors.jwt as readonly JwtVector[];
export const signedStreamVectors = vectors.signed_streams as readonly SignedStreamVector[];
