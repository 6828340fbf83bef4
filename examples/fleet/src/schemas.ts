import type { FastifySchemaValidationError } from 'fastify';
import { FAN_MODES, POWER_TARGET_RANGE } from './fleet-model.js';

/** A JSON schema, as Fastify takes it. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** What a pool URL must look like: `stratum+tcp://` or `stratum+ssl://`, a host, an optional port. */
export const POOL_URL_PATTERN = '^stratum\\+(tcp|ssl)://[^\\s/:]+(:[0-9]{1,5})?$';

/** Route params of `/miners/:minerId/...`. */
export const minerParams: JsonSchema = {
  type: 'object',
  properties: { minerId: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['minerId'],
};

/** The body of `PUT /miners/:minerId/config`: the full config, exactly as `GET` returns it. */
export const minerConfigBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['poolUrl', 'powerTargetW', 'fanMode'],
  properties: {
    poolUrl: { type: 'string', pattern: POOL_URL_PATTERN },
    powerTargetW: {
      type: 'integer',
      minimum: POWER_TARGET_RANGE.min,
      maximum: POWER_TARGET_RANGE.max,
    },
    fanMode: { type: 'string', enum: [...FAN_MODES] },
  },
};

const HINTS: Record<string, string> = {
  poolUrl: 'a stratum URL such as stratum+tcp://pool.example:3333',
  powerTargetW: `an integer number of watts from ${POWER_TARGET_RANGE.min} to ${POWER_TARGET_RANGE.max}`,
  fanMode: FAN_MODES.join(', '),
};

/**
 * Turns schema errors into one message that says what is wrong and what is expected, e.g.
 * `body/powerTargetW must be <= 6000 (expected an integer number of watts from 1000 to 6000)`.
 */
export function describeSchemaErrors(
  errors: readonly FastifySchemaValidationError[],
  dataVar: string,
): Error {
  const parts = errors.map((error) => {
    const params = error.params as Record<string, unknown>;
    const field = error.instancePath.split('/').pop() || String(params.missingProperty ?? '');
    let text = `${dataVar}${error.instancePath} ${error.message ?? 'is invalid'}`;
    if (typeof params.additionalProperty === 'string') {
      text += ` ('${params.additionalProperty}'; a config has exactly poolUrl, powerTargetW, fanMode)`;
    } else if (HINTS[field] !== undefined) {
      text += ` (expected ${HINTS[field]})`;
    }
    return text;
  });
  return new Error(parts.join('; '));
}
