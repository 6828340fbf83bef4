import type { Scenario } from './harness/types.js';

/**
 * Every file directly in `./scenarios/` is a scenario: its default export is a {@link Scenario}.
 * Adding one is adding one file (vitest and tsdown both expand `import.meta.glob`).
 */
const modules = import.meta.glob<Scenario>('./scenarios/*.ts', {
  eager: true,
  import: 'default',
});

function naturalId(id: string): number {
  return Number(/\d+/.exec(id)?.[0] ?? Number.MAX_SAFE_INTEGER);
}

/** The registered scenarios, in id order (B1, B2, … B10). */
export function allScenarios(): Scenario[] {
  const found = Object.entries(modules).map(([file, scenario]) => {
    if (
      scenario === undefined ||
      typeof scenario.setup !== 'function' ||
      typeof scenario.id !== 'string' ||
      typeof scenario.name !== 'string'
    ) {
      throw new TypeError(`${file} must default-export a Scenario (id, name, title, setup).`);
    }
    return scenario;
  });
  const names = new Set<string>();
  for (const s of found) {
    for (const key of [s.id.toLowerCase(), s.name.toLowerCase()]) {
      if (names.has(key)) throw new TypeError(`Two scenarios are called ${key}.`);
      names.add(key);
    }
  }
  return found.sort((a, b) => naturalId(a.id) - naturalId(b.id) || a.id.localeCompare(b.id));
}

/** The scenarios named by id (`b1`) or name (`l1-hit`), any case; all of them for no names. */
export function selectScenarios(names: readonly string[]): Scenario[] {
  const all = allScenarios();
  if (names.length === 0) return all;
  return names.map((wanted) => {
    const key = wanted.toLowerCase();
    const found = all.find((s) => s.id.toLowerCase() === key || s.name.toLowerCase() === key);
    if (found === undefined) {
      const known = all.map((s) => `${s.id.toLowerCase()} (${s.name})`).join(', ');
      throw new RangeError(`No scenario called "${wanted}". Known: ${known}.`);
    }
    return found;
  });
}
