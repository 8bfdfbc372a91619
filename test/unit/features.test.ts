// The feature registry's contract: a feature's folder is complete and self-contained, and the
// shared files follow from the registry alone.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../features/index.ts';
import { SLOTS } from '../../generators/lib/feature.ts';
import { answerSchema, resolveAnswers } from '../../generators/lib/answers.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { FEATURES_DIR, TEMPLATES_DIR } from '../../generators/lib/files.ts';
import { renderTree } from '../../generators/lib/render.ts';

const contextWith = (given: Record<string, unknown>) =>
  buildRenderContext(resolveAnswers({ cpus: 2, memoryMb: 4096, ...given }, FEATURES), FEATURES, '0.0.0-test');
const allOff = Object.fromEntries(FEATURES.map((feature) => [feature.name, false]));

function templatesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ejs'))
    .map((file) => path.join(dir, file));
}

describe.each(FEATURES.map((feature) => [feature.name, feature] as const))('feature %s', (name, feature) => {
  it('has a slot file for exactly the slots it declares, each one the shared templates include', () => {
    const slotsDir = path.join(FEATURES_DIR, name, 'slots');
    const slots = existsSync(slotsDir) ? readdirSync(slotsDir).map((file) => file.replace(/\.ejs$/, '')) : [];
    expect(slots.toSorted()).toEqual([...(feature.slots ?? [])].toSorted());
    expect(slots.filter((slot) => !(SLOTS as readonly string[]).includes(slot))).toEqual([]);
  });

  it('has a template for every file it declares, and its answers are in the schema', () => {
    for (const section of feature.files ?? []) {
      for (const template of section.templates)
        expect(existsSync(path.join(FEATURES_DIR, name, 'files', `${template}.ejs`)), template).toBe(true);
    }
    for (const answer of feature.answers) expect(answerSchema(FEATURES)).toContain(answer);
  });

  it('adds nothing to the render when it is off: no files, services, requirements or slot text', () => {
    const off = renderTree(contextWith({ ...allOff }));
    const switchOn = feature.switchedOnBy ?? { [name]: true };
    const on = renderTree(contextWith({ ...allOff, ...switchOn }));
    const ctxOn = contextWith({ ...allOff, ...switchOn });
    expect(ctxOn.has[name]).toBe(true);
    const added = [...on.keys()].filter((file) => !off.has(file));
    const declared = (feature.files ?? [])
      .filter((section) => section.condition?.(ctxOn) ?? true)
      .flatMap((section) => section.templates.map((template) => template.replaceAll('_pkg_', ctxOn.packageName)))
      .concat((feature.derived ?? []).map((file) => file.template));
    expect(added.sort()).toEqual(declared.sort());
    for (const service of feature.services ?? []) {
      expect(on.get('compose.yaml')!.content).toMatch(new RegExp(`^  ${service}:$`, 'm'));
      expect(off.get('compose.yaml')!.content).not.toMatch(new RegExp(`^  ${service}:$`, 'm'));
    }
    for (const requirement of feature.requirements ?? []) {
      expect(on.get('requirements.txt')!.content).toContain(requirement);
      expect(off.get('requirements.txt')!.content).not.toContain(requirement);
    }
  });
});

describe('render context', () => {
  it('holds no raw answers, so templates can only read derived facts', () => {
    expect(Object.keys(contextWith({}))).not.toContain('answers');
  });

  it('no template reads answers.*', () => {
    const offenders = [...templatesUnder(TEMPLATES_DIR), ...templatesUnder(FEATURES_DIR)].filter((file) =>
      /<%[^%]*\banswers\./.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
