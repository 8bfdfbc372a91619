// Property: a free-text answer drawn from hostile alphabets (quotes, $, backticks, newlines, <%,
// {{, unicode) is either refused in one line, or the generated repository still validates
// (docker compose config, py_compile, bash -n, shellcheck) and the value arrives literally where
// it is used (Compose's resolved environment, the settings' Python literals). One rendered tree
// per run, checked by every tool; refusals writing nothing is bad-input.test.ts's job.
import { FEATURES } from '../../features/index.ts';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnswerError, resolveAnswers, type AnswerName } from '../../generators/lib/answers.ts';
import { TIME_ZONE_RENDERED_AS } from '../../generators/lib/time-zones.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { fillSecretsFile } from '../../generators/lib/merge.ts';
import { renderTree } from '../../generators/lib/render.ts';
import { stackSecrets } from '../../generators/lib/secrets.ts';
import { composeConfig, requireDocker, run } from '../helpers/docker.ts';
import { HOSTILE_PIECES } from '../helpers/hostile.ts';

beforeAll(() => requireDocker());

// Plus punctuation and plain characters: an answer mostly made of these is valid and must be generated.
const HOSTILE = [...HOSTILE_PIECES, '$x', '<%=', '?', '(', ')', '~', '=', '+', '/', '@', '.', ',', 'a', 'Z', '0', '_', '-'];
const hostileText = fc.string({ unit: fc.constantFrom(...HOSTILE), minLength: 1, maxLength: 10 });
// RFC 5322 atext, the part of an e-mail's local part most likely to break an unescaped file.
const ATEXT = [..."!#$%&'*+/=?^_`{|}~-", 'a', 'b', '0'];

/** One hostile answer, placed where it applies (an ACME URL needs tls-mode acme, an endpoint a bucket). */
const hostileAnswer = fc.oneof(
  fc.record({
    answer: fc.constant<AnswerName>('email'),
    value: fc.string({ unit: fc.constantFrom(...ATEXT), minLength: 1, maxLength: 12 }).map((local) => `${local}@example.com`),
  }),
  fc.record({ answer: fc.constant<AnswerName>('email'), value: hostileText.map((text) => `${text}@example.com`) }),
  fc.record({ answer: fc.constant<AnswerName>('acmeDirectory'), value: hostileText.map((text) => `https://ca.internal/${text}`) }),
  fc.record({ answer: fc.constant<AnswerName>('backupS3Endpoint'), value: hostileText.map((text) => `https://s3.internal/${text}`) }),
  fc.record({
    answer: fc.constantFrom<AnswerName>(
      'name',
      'packageName',
      'domain',
      'extraDomains',
      'timeZone',
      'backupSchedule',
      'backupS3Bucket',
      'pythonVersion',
    ),
    value: hostileText,
  }),
);

const CONTEXT: Partial<Record<AnswerName, object>> = {
  acmeDirectory: { tlsMode: 'acme', domain: 'example.org' },
  backupS3Endpoint: { backupS3Bucket: 'bucket' },
};

/** Compose shows a literal $ as $$ in its output (the output is itself a Compose file). */
const composeLiteral = (value: string) => value.replaceAll('$$', '$');

function pythonAssignments(file: string, names: string[]): Record<string, unknown> {
  const script = `import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
found = {}
for node in tree.body:
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id in sys.argv[2:]:
        value = node.value
        # env("NAME", default): the default is the literal the file carries.
        if isinstance(value, ast.Call):
            value = value.args[1]
        found[node.targets[0].id] = ast.literal_eval(value)
print(json.dumps(found))`;
  return JSON.parse(execFileSync('python3', ['-c', script, file, ...names], { encoding: 'utf8' }));
}

describe('hostile free-text answers', () => {
  it('are refused in one line, or generate a valid repository that carries them literally', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(hostileAnswer, ({ answer, value }) => {
        const given = { cpus: 2, memoryMb: 4096, ...CONTEXT[answer], [answer]: value };
        let answers;
        try {
          answers = resolveAnswers(given, FEATURES);
        } catch (error) {
          expect(error).toBeInstanceOf(AnswerError);
          expect((error as Error).message).not.toMatch(/[\r\n\u0085\u2028\u2029\u202a-\u202e]/);
          expect((error as Error).message.length).toBeLessThan(700);
          refused++;
          return;
        }
        accepted++;
        const ctx = buildRenderContext(answers, FEATURES, '0.0.0');
        const tree = renderTree(ctx);
        const dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
        for (const [file, { content }] of tree) {
          mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
          writeFileSync(path.join(dir, file), content);
        }
        writeFileSync(
          path.join(dir, '.env'),
          fillSecretsFile(tree.get('.env.example')!.content, undefined, stackSecrets(answers, ctx.enabledFeatures)).write!.content,
        );

        const config = composeConfig(dir) as unknown as { services: Record<string, { environment?: Record<string, string> }> };
        const scripts = [...tree.keys()].filter((file) => file.endsWith('.sh'));
        for (const script of scripts) run('bash', ['-n', script], { cwd: dir });
        run('shellcheck', ['--external-sources', ...scripts], { cwd: dir });
        const pythonFiles = [...tree.keys()].filter((file) => file.endsWith('.py'));
        run(
          'python3',
          [
            '-c',
            'import py_compile, sys\nfor f in sys.argv[1:]: py_compile.compile(f, cfile="/tmp/hostile.pyc", doraise=True)',
            ...pythonFiles,
          ],
          { cwd: dir },
        );

        if (answer === 'email') {
          expect(composeLiteral(config.services['certbot']!.environment!['ACME_EMAIL']!)).toBe(value);
          const settings = pythonAssignments(path.join(dir, answers.packageName, 'settings', 'production.py'), ['ADMINS', 'SERVER_EMAIL']);
          expect(settings).toEqual({ ADMINS: [[`${answers.name} admin`, value]], SERVER_EMAIL: value });
        }
        if (answer === 'acmeDirectory') expect(composeLiteral(config.services['certbot']!.environment!['ACME_DIRECTORY_URL']!)).toBe(value);
        if (answer === 'backupS3Endpoint')
          expect(composeLiteral(config.services['backup']!.environment!['BACKUP_S3_ENDPOINT']!)).toBe(value);
      }),
      { numRuns: 30, seed: 20261129 },
    );
    // The generators must reach both outcomes, or the property says little.
    expect(accepted).toBeGreaterThan(3);
    expect(refused).toBeGreaterThan(3);
  }, 600_000);
});

describe('time zones', () => {
  // Every accepted name is rendered as one these images know: Debian 13 moved aliases such as
  // Asia/Calcutta into tzdata-legacy, which they lack, so time-zones.ts maps those to their zone.
  const rendered = [...new Set(Object.values(TIME_ZONE_RENDERED_AS))].join('\n');

  // `docker run` of a container that reads the names on stdin and prints those it does not know.
  const missingIn = (imageAndCommand: string[]) =>
    run('docker', ['run', '-i', '--rm', '--pull', 'never', ...imageAndCommand], {
      input: `${rendered}\n`,
      stdio: ['pipe', 'pipe', 'pipe'],
    }).trim();

  it("are all in the python image's zoneinfo (Django's TIME_ZONE)", () => {
    const script =
      'import sys, zoneinfo\nfor name in sys.stdin.read().split():\n    try: zoneinfo.ZoneInfo(name)\n    except Exception: print(name)';
    expect(missingIn(['python:3.13-slim', 'python', '-c', script])).toBe('');
  });

  it("are all in the postgres image's /usr/share/zoneinfo (the backup container's cron TZ)", () => {
    const script = 'while read -r name; do [ -f "/usr/share/zoneinfo/$name" ] || echo "$name"; done';
    expect(missingIn(['--entrypoint', 'sh', 'postgres:17', '-c', script])).toBe('');
  });
});
