// What the run tells the user after writing: the decisions the generator made for them (the ones
// worth checking before the first deploy) and the one command to run next. Pure text from the
// render context, so it is unit-tested and says exactly what the templates were rendered with.
import type { RenderContext } from './context.ts';

export interface RunFacts {
  /** The target directory as the user should type it (relative to where they ran the generator). */
  target: string;
  /** True when the run regenerated an existing repository. */
  regenerating: boolean;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

export function formatDecisions(ctx: RenderContext, facts: RunFacts): string {
  const { gunicorn, pools, postgres, reserved } = ctx.sizing;
  const rows: [string, string][] = [
    ['gunicorn', `${plural(gunicorn.workers, 'worker')} x ${plural(gunicorn.threads, 'thread')}, ${gunicorn.workerClass} workers`],
    ...Object.entries(pools).map(([name, pool]): [string, string] => [name, `concurrency ${pool.processes}`]),
    ['postgresql', `max_connections ${postgres.maxConnections}, shared_buffers ${postgres.sharedBuffersMb} MiB`],
    ...(reserved ? [['set aside', `${reserved.totalMb} MiB for ${Object.keys(reserved.limitsMb).join(', ')}`] as [string, string]] : []),
    ['services', ctx.services.join(', ')],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const cd = facts.target === '.' || facts.target === '' ? '' : `cd ${quoteForShell(facts.target)} && `;
  const next = facts.regenerating
    ? `${cd}git diff   (review this run's changes, then commit)`
    : `${cd}make ${ctx.existing ? `-C ${ctx.existing.directory} ` : ''}verify   (boots the stack here and proves it; then ${ctx.existing ? ctx.existing.runbook : 'README.md'} for the server)`;
  return [
    `Sized for ${plural(ctx.hardware.cpus, 'CPU core')} and ${ctx.hardware.memoryMb} MiB (--cpus, --memory-mb):`,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    `Next: ${next}`,
  ].join('\n');
}

/** A path as one shell word: plain paths stay readable, anything else is single-quoted. */
function quoteForShell(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
