// `yo django-prod:verify`: boots the generated stack in this repository and checks it end to
// end (see run.ts). The Yeoman run loop only: every public method is a run-loop task.
import Generator, { type BaseOptions } from 'yeoman-generator';
import { FEATURES } from '../../features/index.ts';
import { AnswerError } from '../lib/answers.ts';
import { checkCommandLine, quietOneLineErrors } from '../lib/cli.ts';
import { VERIFY_OPTIONS, VerifyError, verifyRepository } from './repository.ts';

type Options = BaseOptions & { keep?: boolean; only?: string };

export default class VerifyGenerator extends Generator<Record<string, unknown>, Options> {
  constructor(args: string[], options: Options) {
    super(args, options);
    for (const [name, option] of Object.entries(VERIFY_OPTIONS)) this.option(name, option);
    quietOneLineErrors(this, isOneLineOutcome, () => undefined);
    checkCommandLine(this, options);
  }

  async verifying(): Promise<void> {
    await verifyRepository({
      repoDir: this.destinationRoot(),
      features: FEATURES,
      keep: Boolean(this.options.keep),
      only: this.options.only,
      log: (line) => this.log(line),
    });
  }
}

/** Errors whose message is the whole story: refusals, a failed verify (its table is above), bad stored answers. */
const isOneLineOutcome = (error: unknown): error is Error => error instanceof VerifyError || error instanceof AnswerError;
