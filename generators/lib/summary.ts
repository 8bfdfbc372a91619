// What the run tells the user after writing: the decisions the generator made for them (the ones
// worth checking before the first deploy), what is left for them to do, and the one command to
// run next. Pure text from the render context and the facts of the run, so it is unit-tested and
// says exactly what the templates were rendered with.
import type { RenderContext } from './context.ts';

export interface RunFacts {
  /** The target directory as the user should type it (relative to where they ran the generator). */
  target: string;
  /** True when the run regenerated an existing repository. */
  regenerating: boolean;
  /** The .env as written: its blank values are the user's to fill in. */
  env: string;
  /** Secret files left empty (paths as written): the user's to fill in. */
  blankSecrets: readonly string[];
  /** Secret halves of key pairs this run generated, stored nowhere: shown this once. */
  offServer: readonly OffServerSecret[];
  /** Whether the target is inside a git work tree. */
  inGitRepository: boolean;
}

/** A secret the run generated and printed once, never stored (the age identity), with what it is and the runbook section on it. */
export interface OffServerSecret {
  variable: string;
  value: string;
  what: string;
  section: string;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** `leftOut`: the line naming optional parts left out for memory (lib/memory-fit.ts), if any. */
export function formatDecisions(ctx: RenderContext, leftOut?: string): string {
  const { gunicorn, pools, postgres, limitsMb, budget } = ctx.sizing;
  const rows: [string, string][] = [
    ['gunicorn', `${plural(gunicorn.workers, 'worker')} x ${plural(gunicorn.threads, 'thread')}, ${gunicorn.workerClass} workers`],
    ...Object.entries(pools).map(([name, pool]): [string, string] => [name, `concurrency ${pool.processes}`]),
    ['postgresql', `max_connections ${postgres.maxConnections}, shared_buffers ${postgres.sharedBuffersMb} MiB`],
    [
      'memory limits',
      `${Object.entries(limitsMb)
        .map(([service, mb]) => `${service} ${mb}`)
        .join(', ')} MiB: ${budget.limitsMb} MiB in all, ${budget.hostMb} left to the host`,
    ],
    ['services', ctx.services.join(', ')],
    ...(leftOut ? [['left out', leftOut] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `Sized for ${plural(ctx.hardware.cpus, 'CPU core')} and ${ctx.hardware.memoryMb} MiB (--cpus, --memory-mb):`,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
  ].join('\n');
}

/** .env variables written without a value (comments aside). */
const blankVariables = (env: string) => [...env.matchAll(/^([A-Z][A-Z0-9_]*)=[ \t]*$/gm)].map((match) => match[1]!);

/**
 * What the user must still do, in order, then the command to run next: the blank .env values by
 * name, the age secret key to take off the server, and git when the target is no repository.
 */
export function formatNextSteps(ctx: RenderContext, facts: RunFacts): string {
  const runbook = ctx.existing ? ctx.existing.runbook : 'README.md';
  // An existing project keeps .env with the rest of the deployment, in its own folder.
  const envFile = ctx.existing ? `${ctx.existing.directory}/.env` : '.env';
  const where = facts.target === '.' || facts.target === '' ? '' : ` (in ${quoteForShell(facts.target)})`;
  const blank = blankVariables(facts.env);
  const todo = [
    ...ctx.warnings,
    ...(blank.length > 0
      ? [
          `fill in ${envFile} (git-ignored; the comment above each value says what it is and whether it may stay empty): ${blank.join(', ')}`,
        ]
      : []),
    ...(facts.blankSecrets.length > 0
      ? [`fill in the secret files left empty (git-ignored; ${runbook} says what each is): ${facts.blankSecrets.join(', ')}`]
      : []),
    ...facts.offServer.map(
      (secret) =>
        `${secret.variable}, ${secret.what}, is shown this once and stored nowhere: copy it into your password manager now ` +
        `and keep it off the server (${runbook}, "${secret.section}"):\n      ${secret.value}`,
    ),
    ...(facts.inGitRepository
      ? []
      : [`git init && git add -A && git commit -m "Deployment by generator-django-prod"   (a regeneration is undone with git)`]),
  ];
  const cd = where === '' ? '' : `cd ${quoteForShell(facts.target)} && `;
  const next =
    facts.regenerating && facts.inGitRepository
      ? `${cd}git diff   (review this run's changes, then commit)`
      : `${cd}make ${ctx.existing ? `-C ${ctx.existing.directory} ` : ''}verify   (boots the stack here and proves it; then ${runbook} for the server)`;
  return [...(todo.length > 0 ? [`Still to do${where}:`, ...todo.map((step) => `  - ${step}`)] : []), `Next: ${next}`].join('\n');
}

/** A path as one shell word: plain paths stay readable, anything else is single-quoted. */
function quoteForShell(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
