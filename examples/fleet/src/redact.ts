/** A Redis URL without its password, for logs and messages. */
export function redactUrl(url: string | undefined): string {
  try {
    const parsed = new URL(url ?? '');
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'Redis';
  }
}
