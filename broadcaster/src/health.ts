/** A connection the bus depends on: health names it while it is down, and its gauge reads 0 meanwhile. */
export interface HealthComponent {
  /** `redis`, `nats`: the word in `degraded: <name>` and in the `<name>_connected` gauge. */
  readonly name: string;
  /** Help text of the `<name>_connected` gauge. */
  readonly gaugeHelp: string;
  isUp(): boolean;
}

/** The names of the components that are down, in the order given. */
export function degradedComponents(components: readonly HealthComponent[]): string[] {
  return components.filter((component) => !component.isUp()).map((component) => component.name);
}
