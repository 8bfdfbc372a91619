// `yo django-prod`: the Yeoman run loop only (every public method is a run-loop task, so helpers are #private).
// read answers -> build context -> render -> plan (fresh, or three-way merge on regeneration) -> write -> report.
// The logic lives in ../lib.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { styleText } from 'node:util';
import Generator, { type BaseOptions } from 'yeoman-generator';
import { FEATURES } from '../../features/index.ts';
import {
  answerSchema,
  answerSpec,
  AnswerError,
  answersFromFile,
  coerceAnswer,
  flagOf,
  resolveAnswers,
  type AnswerName,
  type Answers,
} from '../lib/answers.ts';
import { answerHelp } from '../lib/answers-doc.ts';
import { interview } from '../lib/interview.ts';
import { FileSystemError, asFileSystemError, checkCommandLine, quietOneLineErrors, sameFlag } from '../lib/cli.ts';
import { buildRenderContext, type InputFiles, type RenderContext } from '../lib/context.ts';
import { describeLeftOut, fitToMemory } from '../lib/memory-fit.ts';
import { detectProject, directoryReader, type DetectedProject } from '../lib/detect/index.ts';
import { describeDetection, suggestionsFor } from '../lib/existing.ts';
import {
  checkAgainstProject,
  checkSettingsImport,
  detectedAnswers,
  isExistingMode,
  placementFor,
  protectSecretsFromGit,
  refuseCollisions,
} from '../lib/existing-mode.ts';
import {
  MergeConflictError,
  conflictsOf,
  filesWithConflictMarkers,
  fillSecretsFile,
  formatSummary,
  planFreshGeneration,
  planRegeneration,
  type FileAction,
} from '../lib/merge.ts';
import { stackSecrets } from '../lib/secrets.ts';
import { migrateAnswers, storedVersionProblem, upgradeStepsSince, type UpgradeStep } from '../lib/migrations.ts';
import { describeNewParts, leftOff, optionalParts, partsNewTo, type OptionalPart } from '../lib/new-features.ts';
import { PRISTINE_PATH, PristineError, parsePristine, pristineOf, serializePristine, type PristineFiles } from '../lib/pristine.ts';
import { MissingTemplateError, renderTree, type RenderedTree } from '../lib/render.ts';
import { VERB_COLORS, formatReportLine, reportVerb, type ReportVerb } from '../lib/report.ts';
import { formatDecisions, formatNextSteps } from '../lib/summary.ts';
import { readInputFile } from '../lib/input-files.ts';
import {
  LOCK_FILE,
  STORED_CONFIG_FILE,
  TargetStateError,
  acquireTargetLock,
  assessStoredConfig,
  writeFileAtomic,
  type TargetLock,
} from '../lib/target-state.ts';
import { GENERATOR_VERSION } from '../lib/version.ts';

type GivenAnswers = Partial<Record<AnswerName, unknown>>;
type Options = BaseOptions & Record<string, unknown>;
interface StoredConfig {
  version?: string;
  answers?: GivenAnswers;
}

/** Refusals before anything is asked or written: one line, exit code 2 like bad answers. */
class RefusalError extends AnswerError {}

export default class DjangoProdGenerator extends Generator<StoredConfig, Options> {
  private answers!: Answers;
  private ctx!: RenderContext;
  private inputFiles: InputFiles = {};
  private plan: FileAction[] = [];
  /** The pristine store's text for this render, written in end(). */
  private pristine = '';
  /** Answers stored by a previous run: this run regenerates instead of scaffolding. */
  private regenerating = false;
  /** Per-file lines of what this run writes, printed when the files are committed to disk. */
  private report: { verb: ReportVerb; path: string }[] = [];
  /** The state files' contents (.yo-rc.json, pristine store), written after every other file. */
  private state: { yoRc: string; pristine: string } | undefined;
  /** Held from reading the stored answers until the state files are written. */
  private lock: TargetLock | undefined;
  /** Existing-project mode: what detection found in the target directory. */
  private project: DetectedProject | undefined;
  /** Regeneration: optional parts newer than the project (offered, never switched on unasked), and the summary of those left off. */
  private newParts: OptionalPart[] = [];
  private newPartsSummary = '';
  /** Releases crossed by this regeneration that need more than `make deploy` on a running stack. */
  private upgradeSteps: UpgradeStep[] = [];
  /** The line naming the optional parts left out for memory (lib/memory-fit.ts), repeated in the closing summary. */
  private leftOut: string | undefined;

  constructor(args: string[], options: Options) {
    // This generator writes no package.json: no install step, so no "No change to package.json" line.
    // Yeoman's constructor already parses the .yo-rc.json of the directory it starts in: checked first.
    super(args, checkStoredConfigBeforeYeoman(args, options), { customInstallTask: true });
    // Our plan decides every file (fresh or merged), so Yeoman's conflicter must neither prompt nor
    // report "force": the run writes mem-fs to disk itself and reports each file from the plan.
    this.setFeatures({ customCommitTask: () => DjangoProdGenerator.#commitPending() });
    this.desc(
      'Writes a repository that deploys a Django project to production with Docker Compose.\n' +
        'Then, in that repository, yo django-prod:verify boots the stack and proves it works.',
    );
    this.argument('destination', { type: String, required: false, description: 'Directory to generate into (default: the current one)' });
    for (const entry of answerSchema(FEATURES)) {
      // A yes/no answer's value is optional: a bare --celery means true (and takes no following flag as its value).
      this.option(flagOf(entry.name), { type: String, required: entry.kind !== 'boolean', description: answerHelp(entry) });
    }
    this.option('answers', { type: String, description: 'JSON file of answers; keys are the answer names above (camelCase)' });
    this.option('defaults', { type: Boolean, alias: 'y', description: 'Ask nothing: take defaults for every answer not given' });
    this.option('yes', { type: Boolean, description: 'Same as --defaults' });
    this.option('force', { type: Boolean, description: 'Generate into a non-empty directory; regenerate over uncommitted changes' });
    this.option('dry-run', { type: Boolean, description: 'Regeneration: print what would be updated/merged/conflict, write nothing' });
    // yeoman-generator declares ask-answered itself (default false, for its own prompt storage) and
    // keeps the first declaration: replace it so --help says what it does here.
    delete this._options['ask-answered'];
    this.option('ask-answered', { type: Boolean, description: 'Regeneration: ask every question again, stored answers as defaults' });
    // A refusal (exit 2) or a merge conflict (exit 3) is the one line printed; any failure releases the target's lock.
    quietOneLineErrors(this, isOneLineOutcome, () => this.#releaseLock('stopped'));
    checkCommandLine(this, options);
  }

  initializing(): void {
    const destination = this.options['destination'] as string | undefined;
    if (destination) this.destinationRoot(path.resolve(destination));
    if (existsSync(this.destinationRoot()) && !statSync(this.destinationRoot()).isDirectory())
      throw new FileSystemError(`Target ${this.destinationRoot()} is a file, not a directory: choose a directory`);
    const lock = acquireTargetLock(this.destinationRoot());
    this.lock = lock;
    this.#checkStoredConfig();
    this.regenerating = this.config.get('answers') !== undefined;
    this.#refuseNewerGenerator();
    const existing = this.#option('existing');
    const explicitExisting = existing === undefined ? undefined : coerceAnswer(answerSpec('existing', FEATURES), existing);
    if (isExistingMode(this.destinationRoot(), explicitExisting, this.config.get('answers'), lock.interruptedNewProject)) {
      // Detection before anything is asked: a directory that is not a Django project stops here.
      this.project = detectProject(directoryReader(this.destinationRoot()), this.destinationRoot());
      this.log(['Existing Django project detected:', ...describeDetection(this.project).map((line) => `  ${line}`)].join('\n'));
    } else {
      this.#refuseNonEmptyTarget(lock.interruptedNewProject);
      if (!this.regenerating) lock.markNewProject();
    }
    this.#refuseUncommittedChanges();
  }

  async prompting(): Promise<void> {
    const given = this.#givenAnswers();
    const nonInteractive = Boolean(this.options['defaults'] || this.options['yes']);
    if (this.regenerating) this.newParts = partsNewTo(given.stored, optionalParts(FEATURES));
    const proposed = leftOff(this.newParts);
    const asked = nonInteractive ? {} : await this.#ask(given, proposed);
    // An optional part the user did not choose (flag, answers file, stored answer) is left out when the
    // server's memory cannot hold it; a yes to its question counts as its default.
    const chosen = new Set([...Object.keys(given.stored), ...Object.keys(given.explicit)] as AnswerName[]);
    const fit = fitToMemory(resolveAnswers({ ...given.stored, ...proposed, ...given.explicit, ...asked }, FEATURES), FEATURES, chosen);
    this.answers = fit.answers;
    this.leftOut = describeLeftOut(fit.leftOut, this.answers.memoryMb);
    if (this.leftOut) this.log(`Left out for memory: ${this.leftOut}`);
    if (this.project) checkAgainstProject(this.answers, this.project);
    this.inputFiles = this.#readInputFiles();
  }

  /** Regeneration: what each new part left off would add, measured by rendering with it on. */
  async summarizeNewParts(): Promise<void> {
    this.newPartsSummary = await describeNewParts(this.newParts, this.answers, (answers) =>
      renderTree(buildRenderContext(answers, FEATURES, GENERATOR_VERSION, this.inputFiles)),
    );
  }

  async writing(): Promise<void> {
    this.ctx = buildRenderContext(this.answers, FEATURES, GENERATOR_VERSION, this.inputFiles);
    const tree = await renderTree(this.ctx);
    if (this.project) this.#checkExistingProject(tree);
    this.plan = this.#plan(tree);
    if (!this.#dryRun()) this.#apply(this.plan, tree);
  }

  end(): void {
    const dryRun = this.#dryRun();
    // mem-fs keeps an existing file's mode: make sure the secrets file is private.
    if (!dryRun) chmodSync(this.destinationPath(this.#secretsFile()), 0o600);
    this.#releaseLock('finished');
    if (this.project && this.ctx.existing) {
      const gitNote = dryRun ? undefined : protectSecretsFromGit(this.destinationRoot(), this.ctx.existing.directory);
      const suggestions = [...(gitNote ? [gitNote] : []), ...suggestionsFor(this.project, this.ctx.existing)];
      if (suggestions.length > 0)
        this.log(['Suggestions (your files were not changed):', ...suggestions.map((line) => `  - ${line}`)].join('\n'));
    }
    if (this.regenerating || dryRun) this.log(formatSummary(this.plan, { dryRun }));
    else this.log(`Wrote ${this.plan.length} files for ${this.ctx.domains.join(', ')} into ${this.destinationRoot()}`);
    if (this.newPartsSummary) this.log(this.newPartsSummary);
    if (this.upgradeSteps.length > 0) {
      this.log(
        [
          'On the running server, after committing this upgrade:',
          ...this.upgradeSteps.map(({ version, step }) => `  - ${version}: ${step}`),
        ].join('\n'),
      );
    }
    if (!dryRun) {
      const target = path.relative(process.cwd(), this.destinationRoot()) || '.';
      this.log(formatDecisions(this.ctx, this.leftOut));
      this.log(
        formatNextSteps(this.ctx, {
          target,
          regenerating: this.regenerating,
          env: readFileSync(this.destinationPath(this.#secretsFile()), 'utf8'),
          inGitRepository: this.#inGitRepository(),
        }),
      );
    }
    const conflicts = conflictsOf(this.plan);
    if (conflicts.length > 0) {
      // Thrown last, after every file is written, so the exit code (3) tells scripts to look.
      throw new MergeConflictError(
        `${conflicts.length} file(s) ${dryRun ? 'would be left' : 'left'} with conflict markers: ${conflicts.map((action) => action.path).join(', ')}`,
      );
    }
  }

  /** Every file's fate, decided before anything is written (so --dry-run is this minus #apply). */
  #plan(tree: RenderedTree): FileAction[] {
    const readCurrent = (file: string) => this.#readCurrent(file);
    if (this.regenerating) this.#refuseUnresolvedConflicts(tree, readCurrent);
    const plan = this.regenerating
      ? planRegeneration({ base: this.#readPristine(), render: tree, readCurrent })
      : planFreshGeneration(tree);
    const secretsFile = this.#secretsFile();
    const example = tree.get(path.posix.join(path.posix.dirname(secretsFile), '.env.example'))?.content ?? '';
    const secrets = stackSecrets(this.answers, this.ctx.enabledFeatures);
    return [...plan, { ...fillSecretsFile(example, readCurrent(secretsFile), secrets), path: secretsFile }];
  }

  /** .env beside compose.yaml, where Compose reads it: the root, or our folder in an existing project. */
  #secretsFile(): string {
    return this.ctx.existing ? `${this.ctx.existing.directory}/.env` : '.env';
  }

  #apply(plan: readonly FileAction[], tree: RenderedTree): void {
    for (const action of plan) this.#record(action);
    // Reported with the other files but written by #commit after all of them (#writeState).
    // Always the NEW render: after this run the user's files incorporate it (or carry conflict
    // markers to resolve), so it is the right base for the next regeneration.
    const pristine = serializePristine(pristineOf(tree));
    const yoRc = this.#storedConfigText();
    this.report.push({
      verb: reportVerb({ status: 'updated', write: { content: pristine, mode: 0o644 } }, this.#readCurrent(PRISTINE_PATH)),
      path: PRISTINE_PATH,
    });
    this.report.push({
      verb: reportVerb({ status: 'updated', write: { content: yoRc, mode: 0o644 } }, this.#readCurrent(STORED_CONFIG_FILE)),
      path: STORED_CONFIG_FILE,
    });
    this.state = { yoRc, pristine };
    DjangoProdGenerator.#pending.add(this);
  }

  /** Carries out one planned action in mem-fs and notes its report line (printed by #commit). */
  #record(action: FileAction): void {
    const target = this.destinationPath(action.path);
    this.report.push({ verb: reportVerb(action, this.#readCurrent(action.path)), path: action.path });
    if (action.write) this.fs.write(target, action.write.content, { stat: { mode: action.write.mode } as never });
    if (action.remove) this.fs.delete(target);
  }

  /** A file of the target as this run sees it (mem-fs, which reads the disk); undefined when there is none. */
  #readCurrent(file: string): string | undefined {
    const target = this.destinationPath(file);
    return this.fs.exists(target) ? this.fs.read(target) : undefined;
  }

  /**
   * Generators of this process with files to commit. yo runs several generators in one Yeoman
   * environment (`yo django-prod a --yes, django-prod b --yes`), whose commit step is the first
   * one's customCommitTask: it commits every run that has applied its plan.
   */
  static #pending = new Set<DjangoProdGenerator>();

  static async #commitPending(): Promise<void> {
    for (const generator of DjangoProdGenerator.#pending) {
      DjangoProdGenerator.#pending.delete(generator);
      await generator.#commit();
    }
  }

  /** Writes mem-fs to disk (Yeoman's commit step, taken over by the customCommitTask feature), one line per file; the state files last. */
  async #commit(): Promise<void> {
    const paint = (verb: ReportVerb, text: string) => styleText(VERB_COLORS[verb], text, { stream: process.stderr });
    for (const { verb, path: file } of this.report) this.log(formatReportLine(verb, file, paint));
    this.report = [];
    try {
      await this.fs.commit();
      this.#writeState();
    } catch (error) {
      // Not a run-loop task: yo would print a file-system error's stack (and fail on its string code).
      this.#releaseLock('stopped');
      throw asFileSystemError(error, `files into ${this.destinationRoot()}`);
    }
  }

  /**
   * The state files, written after every other file is on disk, each atomically: an interrupted
   * run leaves the previous state, never one describing files that were not written.
   */
  #writeState(): void {
    if (!this.state) return;
    writeFileAtomic(this.destinationPath(PRISTINE_PATH), this.state.pristine);
    writeFileAtomic(this.destinationPath(STORED_CONFIG_FILE), this.state.yoRc);
    this.state = undefined;
  }

  /** .yo-rc.json as Yeoman's config storage would write it: other generators' keys kept, ours replaced. */
  #storedConfigText(): string {
    const current = this.#readCurrent(STORED_CONFIG_FILE);
    const others = current === undefined ? {} : (JSON.parse(current) as Record<string, unknown>);
    const stored = { ...others, [this.rootGeneratorName()]: { version: GENERATOR_VERSION, answers: this.answers } };
    return `${JSON.stringify(stored, null, 2)}\n`;
  }

  /** The target's .yo-rc.json, checked under the lock (see checkStoredConfig). */
  #checkStoredConfig(): void {
    const repaired = checkStoredConfig(this.destinationRoot(), true);
    if (repaired) this.log(repaired);
  }

  #releaseLock(outcome: 'finished' | 'stopped'): void {
    this.lock?.release(outcome);
    this.lock = undefined;
  }

  /**
   * Files the answers name, read before anything is written. On regeneration the CA bundle's
   * original path may be gone: the copy already in the repository then stands in for it.
   */
  #readInputFiles(): InputFiles {
    const existing: InputFiles = this.project
      ? {
          existingProject: this.project,
          placement: placementFor(this.destinationRoot(), this.project, this.#generatedBefore(), this.answers.dependencyBot),
        }
      : {};
    return { ...existing, ...this.#readCaBundle() };
  }

  /** Paths the previous run wrote (the pristine store): ours, not the user's. */
  #generatedBefore(): Set<string> {
    const store = this.destinationPath(PRISTINE_PATH);
    return new Set(this.fs.exists(store) ? parsePristine(this.fs.read(store)!).keys() : []);
  }

  /**
   * Existing-project mode, before anything is written: nothing of the user's is overwritten, and
   * their settings import (when this machine's Python can tell).
   */
  #checkExistingProject(tree: RenderedTree): void {
    // On regeneration every path is ours (three-way merged); the first run must find them free.
    if (!this.regenerating) refuseCollisions(this.destinationRoot(), tree.keys());
    const check = checkSettingsImport(this.destinationRoot(), this.project!, this.ctx.existing!);
    this.log(
      check.checked
        ? `Settings ${this.project!.settings.module} import cleanly.`
        : `Settings import not checked here: ${check.reason}; the image build imports them.`,
    );
  }

  #readCaBundle(): InputFiles {
    if (this.answers.tlsMode !== 'acme' || this.answers.acmeCaBundle === '') return {};
    const candidates = [path.resolve(this.answers.acmeCaBundle), this.destinationPath('certbot/acme-ca.pem')];
    const found = candidates.find((candidate) => existsSync(candidate));
    const pem = found === undefined ? '' : readInputFile(found, 'Invalid answer "acmeCaBundle" (--acme-ca-bundle):');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AnswerError(
        `Invalid answer "acmeCaBundle" (--acme-ca-bundle): ${JSON.stringify(this.answers.acmeCaBundle)} must name a readable PEM file of CA certificates`,
      );
    }
    return { acmeCaBundlePem: pem };
  }

  /**
   * Stored answers (.yo-rc.json, migrated to this version's names) < answers file < flags;
   * explicit = file and flags.
   */
  #givenAnswers(): { stored: GivenAnswers; explicit: GivenAnswers } {
    const migrated = migrateAnswers(this.config.get('answers') ?? {}, this.config.get('version'), GENERATOR_VERSION);
    if (this.config.get('answers') !== undefined) this.upgradeSteps = upgradeStepsSince(this.config.get('version'), GENERATOR_VERSION);
    for (const migration of migrated.applied) this.log(`Stored answers migrated (${migration.version}): ${migration.description}`);
    const stored = migrated.answers as GivenAnswers;
    const file = this.options['answers'] as string | undefined;
    const fromFile = file ? answersFromFile(file, readAnswersFile(file), FEATURES) : {};
    const fromFlags: GivenAnswers = {};
    for (const entry of answerSchema(FEATURES)) {
      const raw = this.#option(flagOf(entry.name));
      if (raw !== undefined) fromFlags[entry.name] = raw;
    }
    // A settings module given by flag, answers file or the store: detection reads that one.
    const wanted = fromFlags.settingsModule ?? fromFile.settingsModule ?? stored.settingsModule;
    if (this.project && typeof wanted === 'string' && wanted !== '' && wanted !== this.project.settings.module) {
      this.project = detectProject(directoryReader(this.destinationRoot()), this.destinationRoot(), { settingsModule: wanted });
    }
    // Existing-project mode: what detection settles is not asked; stored answers (regeneration),
    // the answers file and flags still win.
    const detected = Object.fromEntries(
      Object.entries(this.project ? detectedAnswers(this.project, this.destinationRoot()) : {}).filter(
        ([name]) => stored[name as AnswerName] === undefined,
      ),
    );
    // The mode is decided before asking (flag, stored answers, or a manage.py), never asked.
    return { stored, explicit: { ...detected, ...fromFile, ...fromFlags, existing: this.project !== undefined } };
  }

  /**
   * Asks what is not known yet: on regeneration only answers missing from the store (new in this
   * generator version). --ask-answered asks stored ones again, the stored value as default.
   * Answers given by flag or answers file are never asked. Essential answers come first; advanced
   * ones only after a yes to the ADVANCED_GATE confirm, which is asked only when one of them would
   * be; a rule between two answers is checked where it is completed (../lib/interview.ts).
   * `proposed`: defaults offered instead of the schema's (a part newer than the project: off).
   */
  async #ask({ stored, explicit }: { stored: GivenAnswers; explicit: GivenAnswers }, proposed: GivenAnswers = {}): Promise<GivenAnswers> {
    return interview({
      features: FEATURES,
      specs: answerSchema(FEATURES),
      stored,
      explicit,
      askAnswered: Boolean(this.#option('ask-answered')),
      proposed,
      ask: async (question) => ((await this.prompt([question] as never)) as Record<string, unknown>)[question.name],
      warn: (line) => this.log(styleText('red', `✖ ${line}`, { stream: process.stderr })),
    });
  }

  #dryRun(): boolean {
    return Boolean(this.#option('dry-run'));
  }

  /**
   * An option by its flag. yeoman-environment's command line passes camelCase (what the user
   * typed); yeoman-generator's own parse adds kebab-case, with the declared default when not given
   * (false for ask-answered): so camelCase first, kebab-case (as yeoman-test passes it) otherwise,
   * then any other spelling of the flag that checkCommandLine accepted (yo: --backups3bucket).
   */
  #option(flag: string): unknown {
    const other = Object.keys(this.options).find((key) => sameFlag(key, flag));
    return (
      this.options[flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())] ??
      this.options[flag] ??
      (other === undefined ? undefined : this.options[other])
    );
  }

  /** The previous pristine render; empty (every edit merges against nothing) when the repository has none. */
  #readPristine(): PristineFiles {
    const store = this.destinationPath(PRISTINE_PATH);
    if (this.fs.exists(store)) return parsePristine(this.fs.read(store)!);
    this.log(`No ${PRISTINE_PATH} (generated before it existed?): files you changed are merged against an empty base, expect conflicts.`);
    return new Map();
  }

  /**
   * Regeneration rewrites files in place; the user's edits must be committed so that a bad merge
   * is undone with git. Outside a git repository there is nothing to check (a warning is logged).
   * --dry-run writes nothing, so it may run on a dirty tree.
   */
  #refuseUncommittedChanges(): void {
    if (!this.regenerating || this.options['force'] || this.#dryRun()) return;
    const root = this.destinationRoot();
    if (!this.#inGitRepository()) {
      this.log(`Note: ${root} is not a git repository, so this regeneration cannot be undone; commit the project to git first.`);
      return;
    }
    // Only this directory counts: the project may live inside a larger repository.
    // This run's own lock file is the one untracked entry allowed.
    const status = this.#git('status', '--porcelain', '--', '.', `:(exclude)${LOCK_FILE}`);
    const changed = status.stdout.split('\n').filter((line) => line.trim() !== '');
    if (status.status === 0 && changed.length > 0) {
      throw new RefusalError(
        `${root} has ${changed.length} uncommitted change(s): commit or stash them first so a bad merge can be undone with git (or pass --force)`,
      );
    }
  }

  #inGitRepository(): boolean {
    const inside = this.#git('rev-parse', '--is-inside-work-tree');
    return !inside.error && inside.status === 0 && inside.stdout.trim() === 'true';
  }

  /** git in the target; safe.directory: a read-only check must also work when yo runs as another user (root drops privileges). */
  #git(...args: string[]) {
    return spawnSync('git', ['-c', 'safe.directory=*', ...args], { cwd: this.destinationRoot(), encoding: 'utf8' });
  }

  /** Merging over unresolved markers would nest them; the last run's conflicts come first. */
  #refuseUnresolvedConflicts(tree: RenderedTree, readCurrent: (file: string) => string | undefined): void {
    if (this.options['force'] || this.#dryRun()) return;
    const files = filesWithConflictMarkers(tree.keys(), readCurrent);
    if (files.length > 0) {
      throw new RefusalError(
        `Unresolved conflict markers from the last regeneration in ${files.join(', ')}: resolve them and commit first (or pass --force)`,
      );
    }
  }

  /** A store written by a newer generator may hold answers and files this version does not understand. */
  #refuseNewerGenerator(): void {
    if (!this.regenerating) return;
    const problem = storedVersionProblem(this.config.get('version'), GENERATOR_VERSION);
    if (problem) throw new RefusalError(problem);
  }

  #refuseNonEmptyTarget(interruptedNewProject: boolean): void {
    const root = this.destinationRoot();
    // An answers file kept next to the project does not make the target "non-empty".
    const answersFile = this.options['answers'] ? path.resolve(this.options['answers'] as string) : undefined;
    const entries = existsSync(root)
      ? readdirSync(root).filter((entry) => entry !== STORED_CONFIG_FILE && entry !== LOCK_FILE && path.join(root, entry) !== answersFile)
      : [];
    // A Django project of the user's is never overwritten by a new one, --force or not.
    if (
      !this.regenerating &&
      !interruptedNewProject &&
      (entries.includes('manage.py') || existsSync(path.join(root, 'src', 'manage.py')))
    ) {
      throw new AnswerError(
        `Target ${root} is a Django project (manage.py): a new project would overwrite its files; deploy it with --existing true`,
      );
    }
    if (!this.regenerating && entries.length > 0 && !this.options['force']) {
      throw new AnswerError(
        interruptedNewProject
          ? `Target ${root} holds ${entries.length} entries of a django-prod run that was killed before it finished: pass --force to complete it, or choose an empty directory`
          : `Target ${root} is not empty (${entries.length} entries): choose an empty directory or pass --force`,
      );
    }
  }
}

/** Errors whose message is the whole story, printed as one line with their exit code. */
const isOneLineOutcome = (error: unknown): error is Error =>
  error instanceof AnswerError ||
  error instanceof PristineError ||
  error instanceof MergeConflictError ||
  error instanceof MissingTemplateError;

/**
 * Yeoman crashes on an empty or corrupt .yo-rc.json (left by an interrupted older run): this
 * repairs it (deletes it when nothing else was generated, if `mayRepair`) or refuses in one line.
 * Returns the line saying what was repaired.
 */
function checkStoredConfig(dir: string, mayRepair: boolean): string | undefined {
  const file = path.join(dir, STORED_CONFIG_FILE);
  const text = existsSync(file) ? readInputFile(file, 'Stored answers') : undefined;
  const state = assessStoredConfig(text, existsSync(path.join(dir, PRISTINE_PATH)), dir);
  if (state.kind === 'refuse') throw new TargetStateError(state.message);
  if (state.kind !== 'discard') return undefined;
  if (!mayRepair) throw new TargetStateError(`${file} ${state.reason}: delete it and run again`);
  unlinkSync(file);
  return `Removed ${file}: it ${state.reason} (an interrupted first run); generating afresh.`;
}

/**
 * The directory Yeoman's constructor reads .yo-rc.json from is the working directory; it is
 * repaired only when it is also the target (no destination argument), never another folder's.
 */
function checkStoredConfigBeforeYeoman(args: string[], options: Options): Options {
  const start = path.resolve(String(options['destinationRoot'] ?? (options['env'] as { cwd?: string } | undefined)?.cwd ?? process.cwd()));
  const destination = args.find((arg) => !arg.startsWith('-'));
  const repaired = checkStoredConfig(start, destination === undefined || path.resolve(destination) === start);
  if (repaired) process.stderr.write(`${repaired}\n`);
  return options;
}

function readAnswersFile(file: string): unknown {
  const text = readInputFile(file, 'Answers file');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AnswerError(`Answers file ${file}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}
