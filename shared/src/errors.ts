/**
 * Every error Cableway raises on purpose carries a stable code from this registry, so logs, tests and
 * operators can match on the code instead of the message. Codes are never reused for another meaning.
 */
export const ErrorCode = {
  /** A command-line flag or environment variable is not a Cableway option. */
  ConfigUnknownOption: 'CW_ERR_CONFIG_UNKNOWN_OPTION',
  /** An option was given a value of the wrong type or outside its range. */
  ConfigBadValue: 'CW_ERR_CONFIG_BAD_VALUE',
  /** An anycable-go option was given that asks for a feature Cableway does not have. */
  ConfigUnsupportedOption: 'CW_ERR_CONFIG_UNSUPPORTED_OPTION',
  /** uWebSockets.js fell back to its JavaScript stub: the native binary does not fit this Node.js. */
  UwsNativeMissing: 'CW_ERR_UWS_NATIVE_MISSING',
  /** A port could not be bound. */
  ListenFailed: 'CW_ERR_LISTEN_FAILED',
  /** A broadcast publication is not in any of the accepted formats. */
  PublicationInvalid: 'CW_ERR_PUBLICATION_INVALID',
  /** A client frame is not a valid Action Cable command. */
  CommandInvalid: 'CW_ERR_COMMAND_INVALID',
  /** The RPC server could not be reached or answered with a transport error. */
  RpcFailed: 'CW_ERR_RPC_FAILED',
  /** A call was abandoned because the session it belonged to has closed. */
  RpcCanceled: 'CW_ERR_RPC_CANCELED',
  /** Redis answered with an error or could not be reached. */
  RedisFailed: 'CW_ERR_REDIS_FAILED',
  /** NATS could not be reached, or refused a publication. */
  NatsFailed: 'CW_ERR_NATS_FAILED',
  /** A stream history cannot prove continuity from the requested position (unknown epoch, trimmed, or unreachable). */
  HistoryUnavailable: 'CW_ERR_HISTORY_UNAVAILABLE',
  /** A publisher could not hand a publication over (an HTTP answer other than 201, or the transport failed). */
  BroadcastFailed: 'CW_ERR_BROADCAST_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class CablewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ConfigError extends CablewayError {}

export class PublicationError extends CablewayError {
  constructor(message: string) {
    super(ErrorCode.PublicationInvalid, message);
  }
}

export class CommandError extends CablewayError {
  constructor(message: string) {
    super(ErrorCode.CommandInvalid, message);
  }
}

/** An RPC call failed (`CW_ERR_RPC_FAILED`) or was skipped because its session had closed (`CW_ERR_RPC_CANCELED`). */
export class RpcError extends CablewayError {
  constructor(code: typeof ErrorCode.RpcFailed | typeof ErrorCode.RpcCanceled, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A history request that the broker cannot answer without a gap: the client gets reject_history. */
export class HistoryError extends CablewayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.HistoryUnavailable, message, options);
  }
}

/** Text of any thrown value, for log lines. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
