// `yo django-prod:verify`: boots the generated stack in this repository and checks it end to
// end (see run.ts). The Yeoman run loop only: every public method is a run-loop task.
import Generator, { type BaseOptions } from 'yeoman-generator';
import { FEATURES } from '../../features/index.ts';
import { runVerify, VerifyError } from './run.ts';

type Options = BaseOptions & { keep?: boolean; only?: string };

export default class VerifyGenerator extends Generator<Record<string, unknown>, Options> {
  constructor(args: string[], options: Options) {
    super(args, options);
    this.option('keep', { type: Boolean, description: 'Leave the verify stack running afterwards (prints how to remove it)' });
    this.option('only', { type: String, description: 'Comma-separated probe names to run (default: all)' });
  }

  async verifying(): Promise<void> {
    const only = this.options.only
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const report = await runVerify({
      repoDir: this.destinationRoot(),
      features: FEATURES,
      keep: Boolean(this.options.keep),
      log: (line) => this.log(line),
      ...(only?.length ? { only } : {}),
    });
    if (!report.passed) {
      const failed = report.results.filter((result) => result.status === 'fail').map((result) => result.probe);
      throw new VerifyError(`verify failed: ${failed.join(', ')} (see the table above)`);
    }
  }
}
