import type { OptionSpec, OptionTable } from '../../../shared/src/config/options';

const MASK = '***';

function tomlString(value: string): string {
  return JSON.stringify(value);
}

/** URLs (such as Redis ones, comma-separated) keep everything but their password; other secrets are masked whole. */
function masked(secret: string): string {
  const urls = secret.split(',').map((url) => url.trim());
  if (!urls.every((url) => /^[a-z][a-z0-9+.-]*:\/\//i.test(url) && URL.canParse(url))) return MASK;
  return urls
    .map((url) => {
      const parsed = new URL(url);
      if (parsed.password === '') return url;
      parsed.password = MASK;
      return parsed.toString();
    })
    .join(',');
}

function tomlValue(spec: OptionSpec, value: unknown): string {
  if (spec.type === 'string' && spec.secret && value !== '') return tomlString(masked(value as string));
  if (spec.type === 'boolean' && spec.tomlWords) return tomlString(value ? spec.tomlWords.true : spec.tomlWords.false);
  if (Array.isArray(value)) return `[${value.map((item: string) => tomlString(item)).join(', ')}]`;
  if (typeof value === 'string') return tomlString(value);
  return String(value);
}

function isDefault(spec: OptionSpec, value: unknown): boolean {
  return JSON.stringify(value) === JSON.stringify(spec.default);
}

/** A value left at its default is printed commented out, so that a file made from it pins nothing. */
function lines(key: string, spec: OptionSpec, value: unknown): string[] {
  const comment = `# ${spec.help}`;
  const unset = isDefault(spec, value) ? '# ' : '';
  if (spec.type === 'map') {
    const entries = Object.entries(value as Record<string, string>);
    if (entries.length === 0) return [comment, `# ${key}.name = "value"`];
    return [comment, ...entries.map(([name, item]) => `${key}.${name} = ${tomlString(item)}`)];
  }
  return [comment, `${unset}${key} = ${tomlValue(spec, value)}`];
}

/**
 * The merged configuration in anycable.toml's layout (top-level keys, then one `[section]` per group, in
 * the table's order), secrets shown as `***`, defaults commented out, so it can be compared with or turned
 * into a file.
 */
export function formatConfigToml(table: OptionTable, values: Readonly<Record<string, unknown>>): string {
  const topLevel: string[] = [];
  const sections = new Map<string, string[]>();
  for (const [name, spec] of Object.entries(table)) {
    if (!spec.toml) continue;
    const dot = spec.toml.indexOf('.');
    if (dot < 0) {
      topLevel.push(...lines(spec.toml, spec, values[name]));
      continue;
    }
    const section = spec.toml.slice(0, dot);
    const body = sections.get(section) ?? [];
    body.push(...lines(spec.toml.slice(dot + 1), spec, values[name]));
    sections.set(section, body);
  }
  const blocks = [...sections].map(([section, body]) => `[${section}]\n${body.join('\n')}\n`);
  return `# Cableway configuration (anycable.toml layout)\n\n${topLevel.join('\n')}\n\n${blocks.join('\n')}`;
}
