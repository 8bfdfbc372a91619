// The contract between lib and the features: what a feature module declares, and the render
// context it is given. A feature is one optional part of the stack (Celery, backups, Sentry, ...),
// declared in one folder, features/<name>/:
//   index.ts      this declaration: answers, facts, files, services, memory, secrets, Swarm roles, verify part
//   files/        whole files it adds, laid out as the generated tree (<path>.ejs; "_pkg_" = package)
//   slots/        its parts of shared files, one <slot>.ejs per slot it declares (see SLOTS)
//   probe.ts      its verify probes (loaded lazily: generating never loads Docker code)
// The registry (features/index.ts) is passed down by the app, verify and scripts: nothing in lib
// imports it, and adding a feature is its folder and one registry line.
import type { AnswerSpec, Answers, TlsMode } from './answer-spec.ts';
import type { ExistingDeployment } from './existing.ts';
import type { DependencyBot, ImagePush } from './repo-health.ts';
import type { LIMITS, MEMORY_SHARE, PROCESS_MB, ProcessPool, Sizing } from './sizing.ts';
import type { DockerFloors } from './docker-versions.ts';

/** What feature modules add to the render context, each under its own name (declaration merging). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by feature modules
export interface FeatureFacts {}

export interface RenderContext extends Partial<FeatureFacts> {
  generatorVersion: string;
  /** What `make verify` fetches with npx when no django-prod-verify is on the PATH: this generator and verify's Docker libraries. */
  verifyPackages: string[];
  name: string;
  packageName: string;
  /** Which features are on, by feature name (ctx.has.celery). */
  has: Record<string, boolean>;
  /** The features that are on, in registry order: their files, slots and probes are used. */
  enabledFeatures: readonly Feature[];
  /** Primary domain first. */
  domains: string[];
  adminEmail: string;
  hardware: { cpus: number; memoryMb: number };
  /** ASGI (uvicorn workers) rather than WSGI. */
  asgi: boolean;
  images: { python: string; postgres: string; redis: string; nginx: string; certbot: string };
  /** The Docker Engine and Compose versions the stack needs (bin/docker-check). */
  dockerFloors: DockerFloors;
  tls: {
    mode: TlsMode;
    /** Empty in self-signed mode, where certbot never runs. */
    acmeDirectory: string;
    /** Whether certbot/acme-ca.pem is written and trusted by certbot. */
    hasCaBundle: boolean;
    /** Content of certbot/acme-ca.pem: the user's CA bundle file, read by the generator (templates cannot read files). */
    caBundlePem: string;
  };
  hsts: {
    seconds: number;
    preload: boolean;
    /** "max-age=3600; includeSubDomains" (+ "; preload"): the one value nginx and Django agree on. */
    header: string;
  };
  /** Referrer-Policy, one value for nginx and Django (Django's own default since 3.1). */
  referrerPolicy: 'same-origin';
  /** Content-Security-Policy and Permissions-Policy nginx sends (lib/browser-headers.ts). */
  browserPolicy: { contentSecurity: string; permissions: string };
  /** The enabled features' warnings for these answers (Feature.warnings): the summary and verify print them. */
  warnings: string[];
  /** Where the Django admin is mounted, without slashes (answer adminPath). */
  adminPath: string;
  uploadLimitMb: number;
  /** Whether uploaded media and collected static files live on local volumes nginx serves (else a feature keeps them elsewhere). */
  localFiles: { media: boolean; static: boolean };
  /** IANA time zone of Django and cron (an alias Debian's images lack is rendered as its zone). */
  timeZone: string;
  sizing: Sizing;
  /** Process limits (pids_limit) of the core services, from the sizing (lib/hardening.ts); `small` for single-process services. */
  pids: { db: number; web: number; nginx: number; small: number };
  /** Constants the runtime sizing in gunicorn.conf.py shares with sizing.ts. */
  sizingConstants: {
    processMb: typeof PROCESS_MB;
    limits: typeof LIMITS;
    memoryShare: typeof MEMORY_SHARE;
    threadsPerWorker: number;
    /** PostgreSQL's own processes, within its limit (README). */
    dbBaseMb: number;
  };
  /** Application module gunicorn loads, e.g. my_site.wsgi:application. */
  appModule: string;
  /** Services in compose.yaml, for the README and Makefile. */
  services: string[];
  /** Services running the application image: the migrate job first, then web and the features' ones. */
  appServices: string[];
  /** appServices without the one-shot migrate job: web first. */
  longRunningAppServices: string[];
  /** longRunningAppServices without web (worker, beat, ...): bin/deploy restarts them once web is through. */
  backgroundAppServices: string[];
  /**
   * The stack's secrets, the core ones first, then the enabled features': each a file, secrets/<file>
   * (git-ignored), that Compose and Swarm mount as /run/secrets/<file> and services read through
   * <VARIABLE>_FILE. Never a value in .env, compose.yaml, an image or `docker inspect`.
   */
  secrets: readonly { variable: string; file: string; app: boolean; db: boolean }[];
  /** requirements.txt lines the enabled features add. */
  featureRequirements: string[];
  /** Every requirement of the stack: the core ones, the ASGI server's, then the features'. */
  stackRequirements: string[];
  /** DJANGO_SETTINGS_MODULE of every app container. */
  settingsModule: string;
  /** What `celery -A` loads. */
  celeryApp: string;
  /** Set in existing-project mode: the deployment around the user's project (undefined for new projects). */
  existing: (ExistingDeployment & { appPath: string }) | undefined;
  /** The repository's own health: tests, CI workflow, dependency updates. */
  repoHealth: {
    /** The test suite (make test) and the CI workflow: new projects only (an existing one keeps its own tests). */
    testSuite: boolean;
    dependencyBot: DependencyBot;
    /** Where CI pushes the image from the default branch; undefined: it only builds and tests. */
    push: ImagePush | undefined;
  };
}

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
  /** Variables of x-app-environment: every container running the app image gets them. */
  'compose.app-environment',
  /** Variables of the test service in compose.test.yaml (make test, CI), e.g. placeholders for the settings' start-up checks. */
  'compose.test.environment',
  /** Blocks appended to .env.example (secrets stay empty there; .env gets random values). */
  'env',
  /** The new project's <pkg>/__init__.py, when a feature has one (else a docstring naming the project). */
  'package.init',
  /** Settings appended to <pkg>/settings/base.py. */
  'settings.base',
  /** Entries of the settings' LOGGING["loggers"] (indented by eight spaces): a feature's own loggers, to stdout as JSON. */
  'settings.loggers',
  /** Settings appended to <pkg>/settings/production.py. */
  'settings.production',
  /** Imports at the top of <pkg>/urls.py, for the patterns below. */
  'urls.imports',
  /** URL patterns appended to <pkg>/urls.py's urlpatterns (indented by four spaces). */
  'urls',
  /**
   * Checks of /health/, after the core ones (database, redis): functions that raise when their part is
   * down, registered as `HEALTH_CHECKS["name"] = function` (module-level Python in <pkg>/health.py, and in
   * the existing-project settings module).
   */
  'health',
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
  /** Rows of the generated README's sizing table, and bullets of how they come about. */
  'readme.sizing',
  'readme.sizing.notes',
] as const;
export type SlotName = (typeof SLOTS)[number];

/**
 * The types verify (generators/verify) gives features: its probe and its override part. Declared
 * there by declaration merging, so that lib imports nothing of verify (no import circle).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by generators/verify
export interface VerifyParts {}
type VerifyPart<Name extends string> = VerifyParts extends Record<Name, infer Part> ? Part : never;

/** Files a feature writes: paths in the generated repository, templates under its files/ folder. */
export interface FeatureFiles {
  condition?: (ctx: RenderContext) => boolean;
  /** Executable scripts get mode 755. */
  executable?: boolean;
  templates: string[];
}

/**
 * Secret values a feature's services read: each variable a file secrets/<variable in lower case>,
 * read through <VARIABLE>_FILE (lib/secrets.ts writes them).
 */
export interface Secret {
  /** Variables filled together by one generate() (a key pair is two). */
  variables: readonly string[];
  /** Values for a new stack; none: the user fills the files in. */
  generate?(): readonly string[];
  /** Mounted into the app's services (their settings read <VARIABLE>_FILE). */
  app?: boolean;
  /** A PostgreSQL role's password: mounted into db (the superuser's; db/roles.sh makes the others). */
  db?: boolean;
  /**
   * Another secret's value in the form a service reads it (redis_exporter's password file is JSON):
   * rewritten from that secret on every run, so the two stay in step.
   */
  derive?: { from: string; content(value: string): string };
  /**
   * A key pair whose public half is configuration (.env) and whose secret half never goes on the
   * server: `variable` is the secret half, printed once by the run that generates it and stored
   * nowhere; what it is, and the README section on keeping it.
   */
  offServer?: { variable: string; what: string; section: string };
}

/** The overlay networks of the Swarm stack: edge (nginx, web, the way out) and data (PostgreSQL, Redis: no route out). */
export type SwarmNetwork = 'edge' | 'data';

/**
 * How one service of compose.yaml runs on a Docker Swarm. stack.yaml is compose.yaml's services
 * rewritten (feature swarm), so image, command, healthcheck, stop grace, limits and environment are
 * compose.yaml's own; this says only what a cluster adds.
 */
export interface SwarmService {
  networks: readonly SwarmNetwork[];
  /** Pinned to the node labelled for it, where its volumes live: data (db, redis, backups) or edge (certificates, static files). */
  node?: SwarmNetwork;
  /** Copies of a stateless service, replaced start-first one at a time and rolled back on failure; hostnames name the task. */
  replicas?: number;
  /** A one-shot job run by every deploy (migrate), retried this often, 5 s apart, while what it needs starts. */
  jobAttempts?: number;
  /** Its image, when not compose.yaml's own pushed one (the migrate job runs the release's). */
  image?: string;
  /** compose.yaml's command, rewritten (db: PostgreSQL sized for every replica rather than one server). */
  command?(command: readonly string[]): string[];
  /** Merged into the service's deploy: (beat's stop-first update). */
  deploy?: Record<string, unknown>;
  /** Variables only the Swarm sets, added to the service's environment. */
  environment?: Record<string, string>;
  /** Its process limit on the Swarm, when not compose.yaml's pids_limit (db: max_connections covers every replica). */
  pidsLimit?: number;
}

/** A service of compose.yaml left out of the Swarm stack, with the reason (said in stack.yaml). */
export interface ComposeOnly {
  composeOnly: string;
}

/** A file made from other rendered files rather than from a template (stack.yaml from compose.yaml). */
export interface DerivedFile {
  /** Path in the generated repository, as in a file table row (existing mode moves it like the others). */
  template: string;
  /** Its content; `pathOf` maps a file table path to the tree's path (existing mode: deploy/...). */
  derive(
    tree: ReadonlyMap<string, { content: string; executable: boolean }>,
    ctx: RenderContext,
    pathOf: (template: string) => string,
  ): string;
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
  /** What its services take of the server's memory (lib/sizing.ts shares the rest out). */
  memory?: {
    /** Fixed memory limits (MiB) of its services for these answers, from what each needs (measured), set aside before the shares are applied. */
    reservedMb?(answers: Answers): Readonly<Record<string, number>>;
    /** A pool of processes beside web, sized from a share of the memory taken out of web's (Celery's workers). */
    pool?: ProcessPool;
    /**
     * Left out when the server's memory cannot hold every part and its switch was not answered
     * (a default): the run says so (lib/memory-fit.ts). Asked for, it is refused instead.
     */
    optional?: boolean;
  };
  /** Files it keeps off the stack's local volumes (object storage): nginx then serves no such volume. */
  filesElsewhere?(answers: Answers): readonly ('media' | 'static')[];
  /** What the closing summary and verify must say about these answers (a part that would fail silently), one line each. */
  warnings?(answers: Answers): readonly string[];
  /** Origins browsers load the site's files from besides its own (a bucket): the Content-Security-Policy allows them. */
  fileOrigins?(answers: Answers): readonly string[];
  /** The secrets it needs, for these answers (secret files, generated or for the user to fill in). */
  secrets?(answers: Answers): readonly Secret[];
  /** Lines added to requirements.txt. */
  requirements?: readonly string[];
  /** Its verify probes, loaded only by verify. */
  probes?: () => Promise<readonly VerifyPart<'probe'>[]>;
  /** What it changes in verify's override of compose.yaml to run on one machine, offline (a test service, ...). */
  verify?: VerifyPart<'override'>;
  /** What it adds to the render context as ctx.<name> (only while enabled): computed once, here. */
  facts?(answers: Answers, sizing: Sizing): Facts;
  files?: readonly FeatureFiles[];
  /** Files derived from the rendered tree, after every template is rendered. */
  derived?: readonly DerivedFile[];
  /** How its services run on a Docker Swarm (read by feature swarm), or why one does not. */
  swarm?(ctx: RenderContext): Record<string, SwarmService | ComposeOnly>;
}

/** Identity with types: a feature module's default export. */
export function defineFeature<Facts>(feature: Feature<Facts>): Feature<Facts> {
  return feature;
}
