/**
 * The seam between a session and whoever decides about its commands: the RPC server (the Rails app) or a
 * local verifier (signed streams). A rejection is a result (FAILURE); a thrown error means the
 * infrastructure failed (the RPC server is unreachable) and nothing of the command is applied.
 */
export type Status = 'SUCCESS' | 'FAILURE' | 'ERROR';

/** String-to-string state, as the RPC protocol carries it. In a change set, an empty value deletes the key. */
export type StateMap = Readonly<Record<string, string>>;

/** The part of the connection request the RPC server sees on every call (anycable.Env url + headers). */
export interface RequestEnv {
  readonly url: string;
  readonly headers: StateMap;
}

/** How a connection was identified; labels the connect-time histogram. */
export const AUTH_PATHS = ['jwt', 'rpc', 'noauth', 'restored'] as const;
export type AuthPath = (typeof AUTH_PATHS)[number];

export interface ConnectResult {
  readonly status: Status;
  readonly path: AuthPath;
  /** Opaque connection identifiers (JSON text from Rails or the JWT `ext` claim), kept byte for byte. */
  readonly identifiers: string;
  /** Frames to send as they are (welcome, or a disconnect frame on FAILURE). */
  readonly transmissions: readonly string[];
  readonly cstate?: StateMap;
  readonly errorMessage?: string;
  /** True when the Rails app took part, so a Disconnect call must follow in disconnect_mode=auto. */
  readonly disconnectInterest: boolean;
}

/** A presence change the Rails app asked for in a command result (anycable-rails' Presence API). */
export interface PresenceChange {
  readonly type: 'join' | 'leave';
  readonly id: string;
  /** JSON text. */
  readonly info?: string;
}

export interface CommandResult {
  readonly status: Status;
  /** Close the connection after applying this result. */
  readonly disconnect: boolean;
  /** Stop every stream of this subscription (wins over `stoppedStreams`). */
  readonly stopStreams: boolean;
  readonly stoppedStreams: readonly string[];
  readonly streams: readonly string[];
  readonly transmissions: readonly string[];
  /** Changes to this subscription's state. */
  readonly istate?: StateMap;
  /** Changes to the connection's state. */
  readonly cstate?: StateMap;
  readonly errorMessage?: string;
  readonly disconnectInterest: boolean;
  readonly presence?: PresenceChange;
}

/** What a controller knows of the connection when it handles one command. */
export interface CommandContext {
  readonly sid: string;
  readonly identifiers: string;
  readonly env: RequestEnv;
  readonly cstate: StateMap;
  /** State of the subscription the command is for. */
  readonly istate: StateMap;
  /** True once the session has closed: a controller may then skip the command (CW_ERR_RPC_CANCELED). */
  readonly isCanceled?: () => boolean;
}

export interface Controller {
  subscribe(context: CommandContext, identifier: string): Promise<CommandResult>;
  unsubscribe(context: CommandContext, identifier: string): Promise<CommandResult>;
  perform(context: CommandContext, identifier: string, data: string): Promise<CommandResult>;
}

export interface DisconnectRequest {
  readonly sid: string;
  readonly identifiers: string;
  /** Identifiers of the confirmed subscriptions. */
  readonly subscriptions: readonly string[];
  readonly env: RequestEnv;
  readonly cstate: StateMap;
  /** Subscription identifier to its JSON-encoded state. */
  readonly istate: StateMap;
}

/** Tells the Rails app a connection has gone (anycable.RPC/Disconnect). */
export interface Disconnector {
  disconnect(request: DisconnectRequest): Promise<void>;
}
