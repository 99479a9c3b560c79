import { envNameOf, type OptionTable } from '../../../shared/src/config/options';

const ENV_PREFIX = 'ANYCABLE_';

/** Every environment variable an options table reads: `ANYCABLE_<FLAG>` and the further names of its rows. */
export function envNamesOf(table: OptionTable): Set<string> {
  const names = new Set<string>();
  for (const [name, spec] of Object.entries(table)) {
    names.add(envNameOf(name));
    for (const extra of spec.env ?? []) names.add(extra);
  }
  return names;
}

/** The `ANYCABLE_*` variables of `env` that nothing reads (a typo such as ANYCABLE_JWT_SECERT), sorted. */
export function unknownEnvVariables(env: Readonly<Record<string, string | undefined>>, known: ReadonlySet<string>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && !known.has(name))
    .sort();
}
