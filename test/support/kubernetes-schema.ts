import path from 'node:path';
import ts from 'typescript';

/**
 * Kubernetes objects checked against the API's OpenAPI schemas, as published in `kubernetes-models` (and its
 * Prometheus Operator package for ServiceMonitor), in two passes:
 * - the models' validators: required fields, types, enums and formats;
 * - the same models' TypeScript declarations, with each object as a literal of its kind's type: the
 *   compiler's excess-property check finds every field the API does not have (a misspelt `readinesProbe`
 *   would otherwise be dropped silently by the API server).
 */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

const GROUP_PACKAGES: Readonly<Record<string, string>> = { 'monitoring.coreos.com': '@kubernetes-models/prometheus-operator' };

/** `apps/v1` → `kubernetes-models/apps/v1`; `v1` → `kubernetes-models/v1`. */
function modelModule(apiVersion: string): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return `${GROUP_PACKAGES[group] ?? 'kubernetes-models'}/${apiVersion}`;
}

function describe(object: KubernetesObject): string {
  return `${object.kind} ${object.metadata?.name ?? '(unnamed)'}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

function schemaErrors(object: KubernetesObject): string[] {
  let models: Record<string, ModelClass | undefined>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    models = require(modelModule(object.apiVersion)) as Record<string, ModelClass | undefined>;
  } catch {
    return [`${describe(object)}: no schema for apiVersion ${object.apiVersion}`];
  }
  const Model = models[object.kind];
  if (!Model) return [`${describe(object)}: no kind ${object.kind} in ${object.apiVersion}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${describe(object)}: ${(error as Error).message}`];
  }
}

const ROOT = path.resolve(__dirname, '../..');

function unknownFieldErrors(objects: readonly KubernetesObject[]): string[] {
  const fileName = path.join(ROOT, '__kubernetes_objects__.ts');
  const source = objects
    .map((object, index) => {
      const type = `import('${modelModule(object.apiVersion)}/${object.kind}').I${object.kind}`;
      return `// ${describe(object)}\nexport const object${index}: ${type} = ${JSON.stringify(object, null, 2)};\n`;
    })
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.fileExists = (name) => name === fileName || fileExists(name);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) =>
    name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language);
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
        : undefined;
    const lines = source.split('\n');
    const line = where ? lines[where.line]!.trim() : '';
    const object = where
      ? lines
          .slice(0, where.line + 1)
          .reverse()
          .find((candidate) => candidate.startsWith('// '))
      : undefined;
    return `${object?.slice(3) ?? 'an object'}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')} (at ${line})`;
  });
}

/** Every schema violation and unknown field of `objects`, one message each; empty when all are valid. */
export function kubernetesSchemaErrors(objects: readonly KubernetesObject[]): string[] {
  return [...objects.flatMap(schemaErrors), ...unknownFieldErrors(objects)];
}
