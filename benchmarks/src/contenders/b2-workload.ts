import { preview, VerificationError } from '../harness/verify.js';
import { type MinerStatus, makeMinerStatus } from './json-value.js';
import { seededRandom, zipfDrawer } from './seeded-zipf.js';

/** Warm keys every contender of an L2 scenario reads (B2, B3). */
export const KEY_COUNT = 1_000;
/** Reads in flight in one operation (TARGETS.md B2: 50 in flight). */
export const READS_PER_OP = 50;
/** Exponent of the Zipf distribution (TARGETS.md / issue 6: s ≈ 1.1). */
export const ZIPF_EXPONENT = 1.1;
/** Length of the key sequence every contender cycles through: 1,024 operations of 50 reads. */
const SEQUENCE_OPS = 1_024;
/** Seeds of the pseudo-random sequences: every run reads the same keys in the same order. */
const SEED = 0x6b_32_2d_31;

/** How the keys of one operation are drawn from the {@link KEY_COUNT} warm keys. */
export type KeyDistribution = 'uniform' | 'zipf';

/**
 * The key indexes every contender reads, in order: {@link SEQUENCE_OPS} operations of
 * {@link READS_PER_OP} reads, uniform over the {@link KEY_COUNT} keys or Zipf (s =
 * {@link ZIPF_EXPONENT}) over them, the ranks shuffled onto the keys (the hottest key is not key 0).
 * Deterministic: the same for every contender and every run.
 */
export function keySequence(distribution: KeyDistribution): Uint16Array {
  const random = seededRandom(SEED);
  const sequence = new Uint16Array(SEQUENCE_OPS * READS_PER_OP);
  if (distribution === 'uniform') {
    for (let i = 0; i < sequence.length; i++) sequence[i] = Math.floor(random() * KEY_COUNT);
    return sequence;
  }
  const draw = zipfDrawer(KEY_COUNT, ZIPF_EXPONENT, random);
  for (let i = 0; i < sequence.length; i++) sequence[i] = draw();
  return sequence;
}

/** Distinct keys among the reads of each operation of `sequence` (what no cache can coalesce). */
export function distinctPerOp(sequence: Uint16Array): Uint16Array {
  const ops = sequence.length / READS_PER_OP;
  const out = new Uint16Array(ops);
  const seen = new Int32Array(KEY_COUNT).fill(-1);
  for (let op = 0; op < ops; op++) {
    let distinct = 0;
    for (let i = op * READS_PER_OP; i < (op + 1) * READS_PER_OP; i++) {
      const key = sequence[i] as number;
      if (seen[key] !== op) {
        seen[key] = op;
        distinct++;
      }
    }
    out[op] = distinct;
  }
  return out;
}

/** The id of item `index`: `miner-0042`, the same length for every item. */
export function itemId(index: number): string {
  return `miner-${String(index).padStart(4, '0')}`;
}

/** The ~1 KB JSON object stored under item `index` (B1's miner status, with the item's own id). */
export function itemValue(index: number): MinerStatus {
  return { ...makeMinerStatus(), id: itemId(index) };
}

/** Reads item `index` (0 to {@link KEY_COUNT} - 1) through one library, one awaited read. */
export type ItemRead = (index: number) => Promise<unknown>;

/**
 * One operation of an L2 scenario: the next {@link READS_PER_OP} keys of the sequence read
 * concurrently, awaited together. Each result must carry its key's id (a cheap check of every
 * timed read; `verify` compares whole values); a wrong one throws, which fails the contender.
 */
export class BatchReader {
  readonly #read: ItemRead;
  readonly #sequence: Uint16Array;
  readonly #ids: readonly string[];
  readonly #pending: Promise<unknown>[] = new Array<Promise<unknown>>(READS_PER_OP);
  #position = 0;

  constructor(read: ItemRead, sequence: Uint16Array) {
    this.#read = read;
    this.#sequence = sequence;
    this.#ids = Array.from({ length: KEY_COUNT }, (_, i) => itemId(i));
  }

  /** Where the next operation starts in the sequence, in operations. */
  get nextOp(): number {
    return this.#position / READS_PER_OP;
  }

  readonly op = async (): Promise<void> => {
    const start = this.#position;
    const sequence = this.#sequence;
    const pending = this.#pending;
    for (let i = 0; i < READS_PER_OP; i++) pending[i] = this.#read(sequence[start + i] as number);
    this.#position = start + READS_PER_OP === sequence.length ? 0 : start + READS_PER_OP;
    const values = await Promise.all(pending);
    for (let i = 0; i < READS_PER_OP; i++) {
      const value = values[i] as { readonly id?: unknown } | null | undefined;
      const expected = this.#ids[sequence[start + i] as number];
      if (value?.id !== expected) {
        throw new VerificationError(`a read of ${expected} returned ${preview(value)}`);
      }
    }
  };
}
