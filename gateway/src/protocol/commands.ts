import { CommandError } from '../../../shared/src/errors';

/** Client commands of the Action Cable protocol, as decoded from one text frame. */
export type ClientCommand =
  | { readonly command: 'subscribe'; readonly identifier: string }
  | { readonly command: 'unsubscribe'; readonly identifier: string }
  | { readonly command: 'message'; readonly identifier: string; readonly data: string }
  | { readonly command: 'whisper'; readonly identifier: string; readonly data: unknown }
  | { readonly command: 'ping' }
  | { readonly command: 'pong' };

function requireIdentifier(frame: Record<string, unknown>, command: string): string {
  const identifier = frame.identifier;
  if (typeof identifier !== 'string') throw new CommandError(`${command}: identifier must be a string`);
  return identifier;
}

/** Decodes one client frame; throws CommandError for anything that is not a known, well-formed command. */
export function decodeCommand(text: string): ClientCommand {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new CommandError('frame is not valid JSON');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    throw new CommandError('frame is not a JSON object');
  }
  const fields = frame as Record<string, unknown>;
  switch (fields.command) {
    case 'subscribe':
    case 'unsubscribe':
      return { command: fields.command, identifier: requireIdentifier(fields, fields.command) };
    case 'message': {
      const identifier = requireIdentifier(fields, 'message');
      if (typeof fields.data !== 'string') throw new CommandError('message: data must be a string');
      return { command: 'message', identifier, data: fields.data };
    }
    case 'whisper':
      return { command: 'whisper', identifier: requireIdentifier(fields, 'whisper'), data: fields.data };
    case 'ping':
    case 'pong':
      return { command: fields.command };
    default:
      throw new CommandError(`unknown command: ${JSON.stringify(fields.command) ?? 'none'}`);
  }
}
