import { CablewayError, ConfigError, errorMessage } from '../../../shared/src/errors';
import { formatHelp, parseOptions } from '../../../shared/src/config/options';
import { createPublisher, type Publisher } from '../publisher/publisher';
import { credentialOf } from './credentials';
import { broadcastCliOptions, CLI_USAGE, resolveCliRequest, type CliRequest } from './options';

export interface CliOutput {
  stdout(line: string): void;
  stderr(line: string): void;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_FLAGS = 2;

type Invocation =
  'help' | { readonly credential: Promise<string> } | { readonly request: CliRequest; readonly publisher: Publisher };

function invocation(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Invocation {
  const parsed = parseOptions(broadcastCliOptions, argv, env, ['help']);
  if (parsed.actions.has('help')) return 'help';
  const credential = credentialOf(parsed.values);
  if (credential) return { credential };
  const request = resolveCliRequest(parsed.values);
  return { request, publisher: createPublisher(request.publisher) };
}

/** `cableway-broadcast`: answers the exit code (0 sent, 1 not sent, 2 bad flags). */
export async function runBroadcastCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: CliOutput,
): Promise<number> {
  let wanted: Invocation;
  try {
    wanted = invocation(argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.stderr(`cableway-broadcast: ${error.message}`);
    return EXIT_BAD_FLAGS;
  }
  if (wanted === 'help') {
    output.stdout(formatHelp(broadcastCliOptions, CLI_USAGE));
    return EXIT_OK;
  }
  if ('credential' in wanted) {
    output.stdout(await wanted.credential);
    return EXIT_OK;
  }
  const { request, publisher } = wanted;
  try {
    await request.send(publisher);
    output.stdout(`cableway-broadcast: ${request.description}`);
    return EXIT_OK;
  } catch (error) {
    const code = error instanceof CablewayError ? ` (${error.code})` : '';
    output.stderr(`cableway-broadcast: ${errorMessage(error)}${code}`);
    return EXIT_FAILED;
  } finally {
    await publisher.close();
  }
}
