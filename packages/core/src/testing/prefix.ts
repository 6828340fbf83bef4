import { randomUUID } from 'node:crypto';

/**
 * A fresh key prefix, `<label>:<uuid>:`, so that tests sharing one store never see each other's
 * keys. `label` defaults to `'ck-conf'`; keep it free of glob characters (`*?[]\`) if you build
 * patterns from the prefix.
 */
export function randomPrefix(label = 'ck-conf'): string {
  return `${label}:${randomUUID()}:`;
}
