/**
 * Compiles a Redis glob pattern (`*`, `?`, `[abc]`, `[^a-z]`, `\x`) into a RegExp with the same
 * meaning, so the memory store matches exactly what Redis SCAN MATCH would.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else if (char === '\\' && i + 1 < pattern.length)
      source += escapeRegExp(pattern[++i] as string);
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      let negate = false;
      if (body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      const parts = body.replace(/\\(.)/g, '$1');
      source += `[${negate ? '^' : ''}${parts.replace(/[\]\\^]/g, '\\$&')}]`;
      i = end;
    } else source += escapeRegExp(char);
  }
  return new RegExp(`${source}$`);
}

function escapeRegExp(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
