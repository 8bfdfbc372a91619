// The interactive run: what is not known yet is asked one question at a time, in the schema's
// order: the essential answers, then "Customize advanced settings?", then the advanced ones after
// a yes. A rule that involves two answers (HSTS preload needs a year of max-age, an http endpoint
// needs its allow answer, ...) is checked at the question that completes it: an input question
// refuses the value in place; a yes/no or a choice (which inquirer cannot validate) shows the
// problem and is asked again, as is the last question asked when a default taken without asking
// completes the rule. So no answer is lost to a refusal after the last question.
import { coerceAnswer, firstProblem, type AnswerName, type AnswerSpec, type Answers } from './answers.ts';
import type { Feature } from './feature.ts';

/** The confirm that opens the advanced questions; a prompt name, never an answer (it is not stored). */
export const ADVANCED_GATE = 'customizeAdvanced';

type GivenAnswers = Partial<Record<AnswerName, unknown>>;

/** One inquirer question, asked alone. */
export interface Question {
  type: 'confirm' | 'select' | 'input';
  name: string;
  message: string;
  choices?: string[];
  default?: unknown;
  filter?: (raw: unknown) => unknown;
  validate?: (value: unknown) => string | true;
}

export interface Interview {
  features: readonly Feature[];
  specs: readonly AnswerSpec[];
  /** Answers stored by a previous run: not asked again unless askAnswered (then their defaults). */
  stored: GivenAnswers;
  /** Answers given by flags or the answers file: never asked. */
  explicit: GivenAnswers;
  askAnswered: boolean;
  /** Defaults offered instead of the schema's (a part newer than the project: off; an existing project's detected secret variables). */
  proposed?: GivenAnswers;
  ask(question: Question): Promise<unknown>;
  /** Shows why the question is asked again. */
  warn(line: string): void;
}

/** The answers the user gave to the questions asked (the gate's aside). */
export async function interview({
  features,
  specs,
  stored,
  explicit,
  askAnswered,
  proposed = {},
  ask,
  warn,
}: Interview): Promise<GivenAnswers> {
  const known: GivenAnswers = { ...proposed, ...stored, ...explicit };
  const asked: GivenAnswers = {};
  const soFar = () => ({ ...known, ...asked }) as Partial<Answers>;
  // Decided: given, asked, or passed over with its default. Stored answers are defaults to ask
  // again under askAnswered.
  const passed = new Set<AnswerName>();
  const decided = () =>
    new Set<AnswerName>([
      ...(Object.keys(explicit) as AnswerName[]),
      ...(askAnswered ? [] : (Object.keys(stored) as AnswerName[])),
      ...passed,
    ]);
  const wouldAsk = (entry: AnswerSpec) =>
    explicit[entry.name] === undefined && (askAnswered || stored[entry.name] === undefined) && (entry.when?.(soFar()) ?? true);
  const advanced = specs.filter((entry) => entry.advanced);
  let customize = false;
  const steps: (AnswerSpec | typeof ADVANCED_GATE)[] = [...specs.filter((entry) => !entry.advanced), ADVANCED_GATE, ...advanced];

  /** The question of a step, or undefined when it is not asked. */
  const questionOf = (step: AnswerSpec | typeof ADVANCED_GATE): Question | undefined => {
    if (step === ADVANCED_GATE) {
      const more = advanced.filter(wouldAsk).length;
      if (more === 0) return undefined;
      return {
        type: 'confirm',
        name: ADVANCED_GATE,
        message: `Customize advanced settings? (${more} more; No keeps their defaults)`,
        default: false,
      };
    }
    if ((step.advanced && !customize) || !wouldAsk(step)) return undefined;
    const value = stored[step.name] ?? proposed[step.name] ?? step.default(soFar());
    return {
      type: step.kind === 'boolean' ? 'confirm' : step.kind === 'choice' ? 'select' : 'input',
      name: step.name,
      message: proposed[step.name] === undefined ? step.message : `${step.message} (new since this project was generated)`,
      ...(step.choices ? { choices: [...step.choices] } : {}),
      default: Array.isArray(value) ? value.join(',') : value,
      ...(step.kind === 'number' || step.kind === 'list' ? { filter: (raw: unknown) => safeCoerce(step, raw) } : {}),
      validate: (candidate) =>
        firstProblem({ ...soFar(), [step.name]: candidate }, new Set([...decided(), step.name]), features)?.message ?? true,
    };
  };

  // Given answers that contradict each other: refused before anything is asked, so nothing is lost.
  const given = firstProblem(soFar(), decided(), features);
  if (given) throw given;
  /** Index of each step asked, latest last: where a completed rule sends the interview back to. */
  const history: number[] = [];
  for (let index = 0; index < steps.length;) {
    const step = steps[index]!;
    const question = questionOf(step);
    if (question) {
      const answer = await ask(question);
      if (step === ADVANCED_GATE) customize = answer === true;
      else asked[step.name] = answer;
      history.push(index);
    }
    if (step !== ADVANCED_GATE) passed.add(step.name);
    index += 1;
    const problem = firstProblem(soFar(), decided(), features);
    if (problem === undefined) continue;
    // A default taken before any question completed it: nothing was asked yet, so nothing is lost.
    const back = history.pop();
    if (back === undefined) throw problem;
    warn(`${problem.message}: answer again`);
    for (const later of steps.slice(back)) {
      if (later === ADVANCED_GATE) customize = false;
      else {
        passed.delete(later.name);
        delete asked[later.name];
      }
    }
    index = back;
  }
  return asked;
}

function safeCoerce(entry: AnswerSpec, raw: unknown): unknown {
  try {
    return coerceAnswer(entry, raw);
  } catch {
    return raw;
  }
}
