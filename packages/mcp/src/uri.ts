import type { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { sha256 } from './canonical-json.js';
import type { Variables, VariableValidator } from './types.js';

/** Validators of a template's variables, by name. */
export type VariableValidators = Readonly<Record<string, VariableValidator>>;

/** URIs longer than this are hashed before they become a key part or a tag. */
const MAX_LITERAL_URI = 256;
/** Longest URI accepted anywhere (read, subscribe, resourceUpdated). */
export const MAX_URI_LENGTH = 8_192;

/** The key part of a canonical URI: itself when short, else `#` + its SHA-256. */
export function uriKeyPart(uri: string): string {
  return uri.length <= MAX_LITERAL_URI ? uri : `#${sha256(uri)}`;
}

/** The tag every cached entry of `uri` carries (one per canonical URI, whatever the scope). */
export function uriTag(uri: string): string {
  return `mcp-uri:${uriKeyPart(uri)}`;
}

/** Parses and normalises a URI the way the SDK does before matching (`new URL(uri).href`). */
export function normaliseUri(uri: unknown): string {
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > MAX_URI_LENGTH) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Invalid resource URI: give an absolute URI of at most ${MAX_URI_LENGTH} characters.`,
    );
  }
  try {
    return new URL(uri).href;
  } catch (error) {
    throw new McpError(ErrorCode.InvalidParams, `Invalid resource URI ${JSON.stringify(uri)}.`, {
      cause: String(error),
    });
  }
}

function invalid(name: string, reason: string): McpError {
  return new McpError(
    ErrorCode.InvalidParams,
    `Invalid value for template variable "${name}": ${reason}.`,
  );
}

function canonicalValue(
  name: string,
  raw: string,
  validator: VariableValidator | undefined,
): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw invalid(name, 'malformed percent-encoding');
  }
  if (decoded.length === 0) throw invalid(name, 'it is empty');
  if (validator === undefined) return decoded;
  let verdict: boolean | string;
  try {
    verdict = validator(decoded);
  } catch (error) {
    throw invalid(name, error instanceof Error ? error.message : String(error));
  }
  if (verdict === true) return decoded;
  if (typeof verdict === 'string' && verdict.length > 0) return verdict;
  throw invalid(name, `${JSON.stringify(decoded)} is not accepted`);
}

/** Decodes and validates the variables the SDK matched (raw, still percent-encoded). */
export function canonicalVariables(raw: Variables, validators: VariableValidators): Variables {
  const out: Variables = {};
  for (const [name, value] of Object.entries(raw)) {
    const validator = Object.hasOwn(validators, name) ? validators[name] : undefined;
    out[name] = Array.isArray(value)
      ? value.map((item) => canonicalValue(name, item, validator))
      : canonicalValue(name, value, validator);
  }
  return out;
}

/** A template match: the canonical URI (variables re-encoded by the template) and the variables. */
export interface CanonicalMatch {
  readonly uri: string;
  readonly variables: Variables;
}

/**
 * Canonicalises a template match: decoded, validated variables expanded back through the template,
 * so that `…/miner/%41/status` and `…/miner/A/status` are one URI (and one cache entry).
 */
export function canonicalMatch(
  template: UriTemplate,
  raw: Variables,
  validators: VariableValidators,
): CanonicalMatch {
  const variables = canonicalVariables(raw, validators);
  return { uri: normaliseUri(template.expand(variables)), variables };
}

/**
 * The process's resource definitions (fixed URIs, URI templates and their validators), to
 * canonicalise URIs given to the hub or received from other instances, with or without sessions.
 * The first definition of a fixed URI or template wins (later sessions register the same ones).
 */
export class UriRegistry {
  readonly #templates = new Map<
    string,
    { template: UriTemplate; validators: VariableValidators }
  >();
  readonly #fixed = new Set<string>();

  addFixed(uri: string): void {
    this.#fixed.add(normaliseUri(uri));
  }

  addTemplate(template: UriTemplate, validators: VariableValidators): void {
    const key = template.toString();
    if (!this.#templates.has(key)) this.#templates.set(key, { template, validators });
  }

  /**
   * The canonical form of `uri`: normalised like the SDK does, then (unless it is a fixed resource,
   * which the SDK matches first), when it matches a registered template, with its variables
   * decoded and validated (bad ones throw `InvalidParams`). A URI no template matches is returned
   * normalised.
   */
  canonical(uri: unknown): string {
    const href = normaliseUri(uri);
    if (this.#fixed.has(href)) return href;
    for (const { template, validators } of this.#templates.values()) {
      const raw = template.match(href);
      if (raw !== null) return canonicalMatch(template, raw, validators).uri;
    }
    return href;
  }

  /** Whether `href` (normalised) is a registered fixed URI or matches a registered template. */
  knows(href: string): boolean {
    if (this.#fixed.has(href)) return true;
    for (const { template } of this.#templates.values()) {
      if (template.match(href) !== null) return true;
    }
    return false;
  }

  /** {@link canonical}, or `undefined` where it throws (a URI from another instance). */
  tryCanonical(uri: string): string | undefined {
    try {
      return this.canonical(uri);
    } catch {
      return undefined;
    }
  }
}
