import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { RequestLogEntry } from '../fakes/github/server.js';

/**
 * GitHub's official descriptions, as Octokit publishes them: the REST API (`@octokit/openapi`, OpenAPI 3.0) and the
 * webhook payloads (`@octokit/openapi-webhooks`, OpenAPI 3.1). The fake GitHub and the event payloads the tests
 * feed the action are checked against them, so a fake that drifts from GitHub fails here rather than in production.
 */
const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;
interface Operation {
  parameters?: Json[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Json> };
}

/** Formats the descriptions use that JSON Schema does not define; they carry no check we rely on. */
const EXTRA_FORMATS = ['int32', 'int64', 'repo.nwo', 'ssh-key', 'ssh-key fingerprint', 'binary'];

function withFormats<T extends Ajv>(ajv: T): T {
  addFormats.default(ajv);
  for (const f of EXTRA_FORMATS) ajv.addFormat(f, true);
  return ajv;
}

/**
 * OpenAPI 3.0's `nullable: true` in JSON Schema terms: `null` added to `type`, or, where the schema has no `type`
 * (a `$ref` or an `allOf` that GitHub marks nullable), an `anyOf` with `null`. Ajv's own `nullable` needs a `type`.
 */
function nullableToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableToJsonSchema(v);
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}

/** What `checkRequests` found: the figures the contract test reports, and every mismatch in words. */
export interface ContractReport {
  requests: number;
  operations: Set<string>;
  mismatches: string[];
}

/** `412 requests, 21 operations, 0 mismatches`. */
export function contractFigures(report: ContractReport): string {
  return `${report.requests} requests, ${report.operations.size} operations, ${report.mismatches.length} mismatches`;
}

/** A path template's segments against a request path's raw segments: each `{param}` takes one segment. */
function matchPath(template: string, segments: string[]): Record<string, string> | undefined {
  const parts = template.split('/').slice(1);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] as string;
    const param = /^\{(\w+)\}$/.exec(part);
    if (param) params[param[1] as string] = decodeURIComponent(segment);
    else if (part !== segment) return undefined;
  }
  return params;
}

/** Literal segments first: `/issues/comments` beats `/issues/{issue_number}`. */
const literalCount = (template: string) => template.split('/').filter((p) => p && !p.startsWith('{')).length;

/** Checks logged requests against the REST description: operation, path and query parameters, body fields. */
export function createRestContract() {
  const spec = nullableToJsonSchema(require('@octokit/openapi/generated/api.github.com.json')) as Spec;
  const ajv = withFormats(
    new Ajv({ strict: false, validateSchema: false, allErrors: true, discriminator: false, logger: false }),
  );
  ajv.addSchema(spec as unknown as Json, 'rest');
  const templates = Object.keys(spec.paths).sort((a, b) => literalCount(b) - literalCount(a));
  const validators = new Map<string, ValidateFunction>();
  const validator = (pointer: string) => {
    let v = validators.get(pointer);
    if (!v) {
      v = ajv.compile({ $ref: `rest#${pointer}` });
      validators.set(pointer, v);
    }
    return v;
  };
  const resolve = (p: Json): Json =>
    typeof p.$ref === 'string'
      ? (spec.components.parameters[p.$ref.replace('#/components/parameters/', '')] ?? {})
      : p;
  const pointerOf = (...parts: string[]) =>
    parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

  /** The description's operation for a logged request; the fake's `/repositories/{id}` links read as `/repos`. */
  const find = (method: string, path: string) => {
    const segments = path.split('/').slice(1);
    if (segments[0] === 'repositories') segments.splice(0, 2, 'repos', '{owner}', '{repo}');
    for (const template of templates) {
      const op = spec.paths[template]?.[method.toLowerCase()];
      const params = op && matchPath(template, segments);
      if (op && params) return { template, op, params };
    }
    return undefined;
  };

  const errorsOf = (v: ValidateFunction) =>
    (v.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`.trim());

  function checkOne(entry: RequestLogEntry): { operation?: string; problems: string[] } {
    const found = find(entry.method, entry.path);
    if (!found) return { problems: [`no operation ${entry.method} ${entry.path} in GitHub's description`] };
    const { template, op, params } = found;
    const operation = `${entry.method} ${template}`;
    const problems: string[] = [];
    const declared = (op.parameters ?? []).map(resolve);
    for (const [key, value] of new URLSearchParams(entry.query)) {
      const p = declared.find((d) => d.in === 'query' && d.name === key);
      if (!p) problems.push(`query parameter "${key}" is not declared`);
      else if (p.schema && typeof p.schema === 'object') {
        const schema = p.schema as Json;
        const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : value;
        const v = ajv.compile({ ...schema, $id: undefined });
        if (!v(typed)) problems.push(`query parameter "${key}"=${value}: ${errorsOf(v).join('; ')}`);
      }
    }
    for (const [name, value] of Object.entries(params)) {
      const p = declared.find((d) => d.in === 'path' && d.name === name);
      if (!p) {
        if (!template.startsWith('/repos/{owner}/{repo}') || (name !== 'owner' && name !== 'repo'))
          problems.push(`path parameter "${name}" is not declared`);
        continue;
      }
      const schema = (p.schema ?? {}) as Json;
      const typed = schema.type === 'integer' ? Number(value) : value;
      const v = ajv.compile(schema);
      if (!v(typed)) problems.push(`path parameter "${name}"=${value}: ${errorsOf(v).join('; ')}`);
    }
    const content = op.requestBody?.content?.['application/json'];
    if (entry.body === undefined) {
      if (op.requestBody?.required) problems.push('the description requires a body; none was sent');
    } else if (!content?.schema) problems.push('a body was sent to an operation that takes none');
    else {
      const pointer = pointerOf(
        'paths',
        template,
        entry.method.toLowerCase(),
        'requestBody',
        'content',
        'application/json',
        'schema',
      );
      const v = validator(pointer);
      if (!v(entry.body)) problems.push(...errorsOf(v));
      problems.push(...undeclaredFields(entry.body, content.schema, spec as unknown as Json));
    }
    return { operation, problems };
  }

  return {
    /** Every entry checked; mismatches say which request and what differs. */
    check(entries: readonly RequestLogEntry[]): ContractReport {
      const report: ContractReport = { requests: 0, operations: new Set(), mismatches: [] };
      for (const entry of entries) {
        report.requests += 1;
        const { operation, problems } = checkOne(entry);
        if (operation) report.operations.add(operation);
        for (const p of problems) report.mismatches.push(`${entry.method} ${entry.path}: ${p}`);
      }
      return report;
    },
  };
}

/** Top-level body fields the schema does not name (GitHub ignores them silently, which hides a typo). */
function undeclaredFields(body: unknown, schema: Json, root: Json): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  const names = new Set<string>();
  const collect = (s: Json) => {
    const target = typeof s.$ref === 'string' ? deref(root, s.$ref) : s;
    for (const k of Object.keys((target.properties as Json | undefined) ?? {})) names.add(k);
    for (const key of ['oneOf', 'anyOf', 'allOf'] as const)
      for (const sub of (target[key] as Json[] | undefined) ?? []) collect(sub);
  };
  collect(schema);
  if (names.size === 0) return [];
  return Object.keys(body)
    .filter((k) => !names.has(k))
    .map((k) => `body field "${k}" is not declared`);
}

function deref(root: Json, ref: string): Json {
  let node: unknown = root;
  for (const part of ref.replace(/^#\//, '').split('/'))
    node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node as Json;
}

/** Validates event payloads against the webhook descriptions (`webhook-issues-labeled`, `webhook-workflow-dispatch`…). */
export function createWebhookContract() {
  const spec = require('@octokit/openapi-webhooks/generated/api.github.com.json') as Json;
  const ajv = withFormats(
    new Ajv2020({ strict: false, validateSchema: false, allErrors: true, logger: false }),
  );
  ajv.addSchema(spec, 'webhooks');
  return {
    /** Errors of `payload` against `components/schemas/<schema>`; empty when it validates. */
    errors(schema: string, payload: unknown): string[] {
      const v = ajv.compile({ $ref: `webhooks#/components/schemas/${schema}` });
      return v(payload)
        ? []
        : (v.errors ?? []).map((e) => `${e.instancePath || '(payload)'} ${e.message ?? ''}`);
    },
  };
}
