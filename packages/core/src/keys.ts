import { InvalidKeyError } from './errors.js';

/** One part of a key: a string or a finite number. */
export type KeyPart = string | number;
/** A key as given by callers: one id, or the parts of a hierarchical key. */
export type KeyInput = KeyPart | readonly KeyPart[];

/** What to do with ids that contain `:`, glob characters (`* ? [ ] \`), `{`, `}` or `%`. */
export type UnsafeIdMode = 'escape' | 'reject';

/** Longest key cachekit builds, in characters. */
export const MAX_KEY_LENGTH = 1024;

const NAME = /^[A-Za-z0-9_.-]+$/;
const UNSAFE = /[%:*?[\]\\{}]/;
const UNSAFE_GLOBAL = /[%:*?[\]\\{}]/g;
const SEPARATOR = ':';
/** Single-id keys remembered per key space (cleared when full). */
const MEMO_SIZE = 10_000;

function percent(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Validates a namespace, version or other name: letters, digits, `_`, `.`, `-`. */
export function assertName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new InvalidKeyError(
      `Invalid ${what} ${JSON.stringify(value)}: use letters, digits, '_', '.' or '-' (no ':' or glob characters).`,
    );
  }
}

/**
 * Builds every key the cache writes, in one place:
 * - entries: `<version>:<namespace>[:<child>...]:<part>[:<part>...]`
 * - generation of an entry (same Redis Cluster slot as the entry): `{<entry key>}:g`
 * - tag generations: `__ck:<version>:<root namespace>:t:<tag>`
 *
 * Ids are escaped (`%XX`) or refused so that no id and no pattern can reach outside its namespace.
 */
export class KeySpace {
  /** `<version>:<namespace path>:`, the prefix of every entry key in this space. */
  readonly prefix: string;
  readonly #tagPrefix: string;
  readonly #mode: UnsafeIdMode;
  /** The namespace path joined with `:` (`fleet:miner`), as reported in events. */
  readonly namespace: string;
  readonly #version: string;
  readonly #path: readonly string[];
  readonly #memo = new Map<string, string>();

  constructor(version: string, path: readonly string[], mode: UnsafeIdMode = 'escape') {
    assertName(version, 'version');
    if (path.length === 0) throw new InvalidKeyError('A key space needs at least one namespace.');
    for (const name of path) assertName(name, 'namespace');
    if (mode !== 'escape' && mode !== 'reject') {
      throw new InvalidKeyError(
        `Invalid unsafeIds mode ${JSON.stringify(mode)}: use 'escape' or 'reject'.`,
      );
    }
    this.#version = version;
    this.#path = path;
    this.#mode = mode;
    this.namespace = path.join(SEPARATOR);
    this.prefix = `${version}${SEPARATOR}${this.namespace}${SEPARATOR}`;
    this.#tagPrefix = `__ck${SEPARATOR}${version}${SEPARATOR}${path[0]}${SEPARATOR}t${SEPARATOR}`;
  }

  /** A child space one namespace deeper. */
  child(name: string): KeySpace {
    return new KeySpace(this.#version, [...this.#path, name], this.#mode);
  }

  /** Encodes one id so that it contains no separator and no glob character. */
  id(part: unknown): string {
    let text: string;
    if (typeof part === 'string') text = part;
    else if (typeof part === 'number' && Number.isFinite(part)) text = String(part);
    else {
      throw new InvalidKeyError(
        `Invalid key part ${typeof part === 'number' ? String(part) : typeof part}: use a non-empty string or a finite number.`,
      );
    }
    if (text.length === 0) {
      throw new InvalidKeyError('Invalid key part "": key parts must not be empty.');
    }
    if (!UNSAFE.test(text)) return text;
    if (this.#mode === 'reject') {
      throw new InvalidKeyError(
        `Invalid key part ${JSON.stringify(text)}: ':', '*', '?', '[', ']', '\\', '{', '}' and '%' are refused ` +
          "(unsafeIds: 'reject'). Use unsafeIds: 'escape' to have them escaped instead.",
      );
    }
    return text.replace(UNSAFE_GLOBAL, percent);
  }

  /** The full key of an entry. */
  entry(input: KeyInput): string {
    if (typeof input === 'string') {
      // Hot path: one id, usually the same strings again and again. Returning the same string
      // object also lets V8 reuse its hash in the Map lookups that follow.
      const known = this.#memo.get(input);
      if (known !== undefined) return known;
      const built = checkLength(this.prefix + this.id(input));
      if (this.#memo.size >= MEMO_SIZE) this.#memo.clear();
      this.#memo.set(input, built);
      return built;
    }
    let key: string;
    if (Array.isArray(input)) {
      if (input.length === 0)
        throw new InvalidKeyError('Invalid key []: give at least one key part.');
      key = this.prefix;
      for (let i = 0; i < input.length; i++) {
        key += (i === 0 ? '' : SEPARATOR) + this.id(input[i]);
      }
    } else {
      key = this.prefix + this.id(input);
    }
    return checkLength(key);
  }

  /** The generation key guarding an entry; it hashes to the entry's Redis Cluster slot. */
  generationOf(entryKey: string): string {
    return `{${entryKey}}${SEPARATOR}g`;
  }

  /** The distributed-lock key of an entry (same Redis Cluster slot as the entry). */
  lockOf(entryKey: string): string {
    return `{${entryKey}}${SEPARATOR}lock`;
  }

  /** The generation key of a tag. Tags are shared by every namespace under the same root. */
  tag(tag: unknown): string {
    if (typeof tag !== 'string' || tag.length === 0) {
      throw new InvalidKeyError(`Invalid tag ${JSON.stringify(tag)}: tags are non-empty strings.`);
    }
    return checkLength(this.#tagPrefix + this.id(tag));
  }

  /**
   * A Redis glob pattern confined to this namespace. In `pattern`, `*` and `?` are wildcards and
   * `:` separates key parts; every other character is matched literally (escaped like ids).
   */
  pattern(pattern: unknown): string {
    if (typeof pattern !== 'string' || pattern.length === 0) {
      throw new InvalidKeyError(
        `Invalid pattern ${JSON.stringify(pattern)}: give a non-empty pattern such as 'miner:*'.`,
      );
    }
    let out = this.prefix;
    for (const segment of pattern.split(SEPARATOR)) {
      if (segment.length === 0) {
        throw new InvalidKeyError(
          `Invalid pattern ${JSON.stringify(pattern)}: it has an empty key part.`,
        );
      }
      if (out !== this.prefix) out += SEPARATOR;
      for (const char of segment) {
        if (char === '*' || char === '?' || !UNSAFE.test(char)) out += char;
        else out += this.id(char);
      }
    }
    return checkLength(out);
  }
}

function checkLength(key: string): string {
  if (key.length > MAX_KEY_LENGTH) {
    throw new InvalidKeyError(
      `Key of ${key.length} characters is longer than ${MAX_KEY_LENGTH}: hash long ids before using them as key parts.`,
    );
  }
  return key;
}
