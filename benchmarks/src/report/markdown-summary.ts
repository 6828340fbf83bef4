import { gaps, targetLines } from './gaps.js';
import { table } from './markdown-text.js';
import type { RecordedRun } from './types.js';

/**
 * The summary at the top: how many targets were met, every target of every scenario with its
 * measured value and met/MISSED, then where cachekit is behind (see {@link gaps}).
 */
export function summarySection(run: RecordedRun): string[] {
  const lines = run.scenarios.flatMap((s) => targetLines(s));
  const missed = lines.filter((l) => !l.met).length;
  const found = run.scenarios.flatMap((s) => gaps(s));
  const verdict =
    lines.length === 0
      ? 'No scenario of this run sets a target.'
      : `${lines.length - missed} of ${lines.length} targets met, **${missed} MISSED**.`;
  return [
    '## Summary',
    '',
    `${verdict} Targets are TARGETS.md's, checked on the median over the rounds; ratios are per round, side by side.`,
    '',
    ...(lines.length === 0
      ? []
      : [
          ...table(
            ['scenario', 'target', 'measured', 'spread / context', 'result'],
            lines.map((l) => [
              l.scenario,
              l.target,
              l.measured,
              l.context,
              l.met ? 'met' : '**MISSED**',
            ]),
          ),
          '',
        ]),
    '### Where cachekit is behind a target or a peer',
    '',
    ...behind(found),
  ];
}

function behind(found: readonly string[]): string[] {
  if (found.length === 0) {
    return [
      'Nowhere in this run: every target met, no cachekit contender slower than the best peer, no contender failed.',
    ];
  }
  return found.map((gap) => `- ${gap}`);
}

/** The closing note: the same gaps, with the measured ratios, at the end of the report. */
export function closingSection(run: RecordedRun): string[] {
  const found = run.scenarios.flatMap((s) => gaps(s));
  return [
    '## Closing note: the gaps',
    '',
    found.length === 0
      ? 'cachekit met every target of this run and no peer was faster.'
      : `cachekit is behind in ${found.length} place${found.length === 1 ? '' : 's'} in this run (measured ratios; the spread is over the rounds):`,
    ...(found.length === 0 ? [] : ['', ...found.map((gap) => `- ${gap}`)]),
  ];
}
