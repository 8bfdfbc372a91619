// What a feature module is: one optional part of the stack (Celery, backups, Sentry, ...),
// declared in one folder, features/<name>/:
//   index.ts      this declaration: answers, facts, files, services, requirements, probes
//   files/        whole files it adds, laid out as the generated tree (<path>.ejs; "_pkg_" = package)
//   slots/        its parts of shared files, one <slot>.ejs per slot it declares (see SLOTS)
//   probe.ts      its verify probes (loaded lazily: generating never loads Docker code)
// The shared files (answers, file table, compose.yaml, README, requirements, probes) are
// assembled from the registry in ./index.ts; adding a feature touches nothing else.
import type { AnswerSpec, Answers } from './answer-spec.ts';
import type { RenderContext } from './context.ts';
import type { Sizing } from './sizing.ts';
import type { Probe } from '../verify/probes/probe.ts';

/**
 * Where shared templates include the enabled features' parts, in registry order
 * (`<%- slot('compose.services') %>`). A feature has a part for each slot it declares, in
 * slots/<slot>.ejs of its folder (declared, so a file missing from an install is an error).
 */
export const SLOTS = [
  /** Services in compose.yaml (indented by two spaces, starting with a blank line). */
  'compose.services',
  /** Named volumes under compose.yaml's top-level volumes:. */
  'compose.volumes',
  /** Entries of compose.yaml's top-level secrets: (the section is written only when one exists). */
  'compose.secrets',
  /** Variables of x-app-environment: every container running the app image gets them. */
  'compose.app-environment',
  /** Blocks appended to .env.example (secrets stay empty there; .env gets random values). */
  'env',
  /** Code at the top of <pkg>/settings/base.py, before any setting reads the environment. */
  'settings.environment',
  /** Settings appended to <pkg>/settings/base.py. */
  'settings.base',
  /** Settings appended to <pkg>/settings/production.py. */
  'settings.production',
  /** Imports at the top of <pkg>/urls.py, for the patterns below. */
  'urls.imports',
  /** URL patterns appended to <pkg>/urls.py's urlpatterns (indented by four spaces). */
  'urls',
  /** nginx http-level directives (nginx.conf), before the site configuration is included. */
  'nginx.http',
  /** Directives of the site's catch-all `location /` that proxies to gunicorn (site.conf). */
  'nginx.proxy',
  /** Server hooks and settings in gunicorn.conf.py (before its sizing block). */
  'gunicorn',
  /** Make targets appended to the Makefile. */
  'makefile',
  /** A section of the generated README (runbook), placed before "Verification". */
  'readme',
  /** Rows of the generated README's table of files. */
  'readme.files',
  /** Services in stack.yaml, the Docker Swarm stack (feature swarm): the service's compose.services part in docker stack deploy's format. */
  'stack.services',
  /** Named volumes under stack.yaml's top-level volumes:. */
  'stack.volumes',
] as const;
export type SlotName = (typeof SLOTS)[number];

/** Files a feature writes: paths in the generated repository, templates under its files/ folder. */
export interface FeatureFiles {
  condition?: (ctx: RenderContext) => boolean;
  /** Executable scripts get mode 755. */
  executable?: boolean;
  templates: string[];
}

export interface Feature<Facts = unknown> {
  /** Also its folder name and its key in ctx.has. */
  name: string;
  /** Its answers, asked after the core ones in this order (flags, answers file and docs follow). */
  answers: readonly AnswerSpec[];
  /** Whether the stack includes it for these answers. */
  enabled(answers: Answers): boolean;
  /** The shared files it adds to: slots/<slot>.ejs for each. */
  slots?: readonly SlotName[];
  /** Answers that turn it on, when its switch is not a boolean answer named like it (tests use this). */
  switchedOnBy?: Partial<Answers>;
  /** Compose services it adds. */
  services?: readonly string[];
  /** Of those, the ones running the application image (they get the app environment). */
  appServices?: readonly string[];
  /** Lines added to requirements.txt. */
  requirements?: readonly string[];
  /** Its verify probes, loaded only by verify. */
  probes?: () => Promise<readonly Probe[]>;
  /** What it adds to the render context as ctx.<name> (only while enabled): computed once, here. */
  facts?(answers: Answers, sizing: Sizing): Facts;
  files?: readonly FeatureFiles[];
}

/** Identity with types: a feature module's default export. */
export function defineFeature<Facts>(feature: Feature<Facts>): Feature<Facts> {
  return feature;
}
