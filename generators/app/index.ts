// `yo django-prod`: the Yeoman run loop only (every public method is a run-loop task, so helpers are #private).
// write the file table -> report. The logic lives in ../lib.
import { readFileSync, existsSync, readdirSync, chmodSync } from 'node:fs';
import path from 'node:path';
import Generator, { type BaseOptions } from 'yeoman-generator';
import {
  ANSWER_SCHEMA, AnswerError, answersFromFile, coerceAnswer, flagOf, resolveAnswers,
  type AnswerName, type AnswerSpec, type Answers,
} from '../lib/answers.ts';
import { buildRenderContext, type RenderContext } from '../lib/context.ts';
import { renderTree, type RenderedTree } from '../lib/render.ts';
import { fillEnvFile } from '../lib/secrets.ts';
import { GENERATOR_VERSION } from '../lib/version.ts';

type GivenAnswers = Partial<Record<AnswerName, unknown>>;
type Options = BaseOptions & Record<string, unknown>;
interface StoredConfig { version?: string; answers?: GivenAnswers }

export default class DjangoProdGenerator extends Generator<StoredConfig, Options> {
  private answers!: Answers;
  private ctx!: RenderContext;
  private tree!: RenderedTree;

  constructor(args: string[], options: Options) {
    super(args, options);
    this.argument('destination', { type: String, required: false, description: 'Directory to generate into (default: the current one)' });
    for (const entry of ANSWER_SCHEMA as readonly AnswerSpec[]) {
      this.option(flagOf(entry.name), {
        type: String,
        description: `${entry.description} (default: ${JSON.stringify(entry.default({}))})`,
      });
    }
    this.option('answers', { type: String, description: 'JSON file of answers; keys are the answer names above (camelCase)' });
    this.option('defaults', { type: Boolean, alias: 'y', description: 'Ask nothing: take defaults for every answer not given' });
    this.option('yes', { type: Boolean, description: 'Same as --defaults' });
    this.option('force', { type: Boolean, description: 'Generate into a non-empty directory' });
  }

  initializing(): void {
    const destination = this.options['destination'] as string | undefined;
    if (destination) this.destinationRoot(path.resolve(destination));
    this.#refuseNonEmptyTarget();
  }

  async prompting(): Promise<void> {
    const given = this.#givenAnswers();
    const nonInteractive = Boolean(this.options['defaults'] || this.options['yes']);
    const asked = nonInteractive ? {} : await this.#askMissing(given);
    this.answers = resolveAnswers({ ...given, ...asked });
  }

  async writing(): Promise<void> {
    this.ctx = buildRenderContext(this.answers, GENERATOR_VERSION);
    this.tree = await renderTree(this.ctx);
    for (const [file, { content, executable }] of this.tree) this.#writeForced(file, content, executable ? 0o755 : 0o644);
    const envPath = this.destinationPath('.env');
    const existing = existsSync(envPath) ? readFileSync(envPath, 'utf8') : '';
    this.#writeForced('.env', fillEnvFile(this.tree.get('.env.example')?.content ?? '', existing), 0o600);
    this.config.set({ version: GENERATOR_VERSION, answers: this.answers });
  }

  end(): void {
    // mem-fs keeps an existing file's mode: make sure the secrets file is private.
    chmodSync(this.destinationPath('.env'), 0o600);
    this.log(`Wrote ${this.tree.size + 1} files for ${this.ctx.domains.join(', ')} into ${this.destinationRoot()}`);
    this.log('Next: read README.md, then `make up` on the server.');
  }

  /** Stored answers < answers file < flags. */
  #givenAnswers(): GivenAnswers {
    const stored = (this.config.get('answers') ?? {}) as GivenAnswers;
    const file = this.options['answers'] as string | undefined;
    const fromFile = file ? answersFromFile(file, readAnswersFile(file)) : {};
    const fromFlags: GivenAnswers = {};
    for (const entry of ANSWER_SCHEMA) {
      const raw = this.options[flagOf(entry.name)];
      if (raw !== undefined) fromFlags[entry.name] = raw;
    }
    return { ...stored, ...fromFile, ...fromFlags };
  }

  async #askMissing(given: GivenAnswers): Promise<GivenAnswers> {
    const questions = (ANSWER_SCHEMA as readonly AnswerSpec[]).map((entry) => {
      const soFar = (asked: GivenAnswers) => ({ ...given, ...asked }) as Partial<Answers>;
      return {
        type: entry.kind === 'boolean' ? 'confirm' : entry.kind === 'choice' ? 'list' : 'input',
        name: entry.name,
        message: entry.message,
        choices: entry.choices as string[] | undefined,
        when: (asked: GivenAnswers) => given[entry.name] === undefined && (entry.when?.(soFar(asked)) ?? true),
        default: (asked: GivenAnswers) => {
          const value = entry.default(soFar(asked));
          return Array.isArray(value) ? value.join(',') : value;
        },
        filter: (raw: unknown) => (entry.kind === 'number' || entry.kind === 'list' ? safeCoerce(entry, raw) : raw),
        validate: (value: unknown, asked: GivenAnswers) => {
          try {
            return entry.check(coerceAnswer(entry, value) as never, soFar(asked)) ?? true;
          } catch (error) {
            return (error as Error).message;
          }
        },
      };
    });
    return (await this.prompt(questions as never)) as GivenAnswers;
  }

  #refuseNonEmptyTarget(): void {
    const root = this.destinationRoot();
    const regenerating = this.config.get('answers') !== undefined;
    // An answers file kept next to the project does not make the target "non-empty".
    const answersFile = this.options['answers'] ? path.resolve(this.options['answers'] as string) : undefined;
    const entries = existsSync(root)
      ? readdirSync(root).filter((entry) => entry !== '.yo-rc.json' && path.join(root, entry) !== answersFile)
      : [];
    if (!regenerating && entries.length > 0 && !this.options['force']) {
      throw new AnswerError(`Target ${root} is not empty (${entries.length} entries): choose an empty directory or pass --force`);
    }
  }

  #writeForced(file: string, content: string, mode: number): void {
    const target = this.destinationPath(file);
    this.fs.write(target, content, { stat: { mode } as never });
    // Our own plan decides every file (fresh or merged), so Yeoman's per-file prompt must not.
    const stored = this.fs.store.get(target) as { conflicter?: string };
    stored.conflicter = 'force';
  }
}

function readAnswersFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AnswerError(`Answers file ${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AnswerError(`Answers file ${file}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

function safeCoerce(entry: AnswerSpec, raw: unknown): unknown {
  try {
    return coerceAnswer(entry, raw);
  } catch {
    return raw;
  }
}
