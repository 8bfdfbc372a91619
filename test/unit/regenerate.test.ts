// Re-running `yo django-prod` in a generated repository: one test per case of the regeneration
// contract. A "template change" is simulated by rewriting the stored pristine render of a file to
// an older variant, so the new render differs from the base without editing real templates.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRISTINE_PATH } from '../../generators/lib/pristine.ts';
import { generateProject } from '../helpers/generate.ts';
import { commitAll, read, readPristine, regenerate, replaceLine, rewritePristine, write } from '../helpers/regenerate.ts';
import { readTree } from '../helpers/tree.ts';

const BASE_FLAGS = { tlsMode: 'self-signed', domain: 'app.test' } as const;
/** Present in every profile and long enough to hold separate regions. */
const FILE = 'gunicorn.conf.py';
const OTHER = 'Makefile';

async function freshProject(flags: Record<string, unknown> = {}): Promise<string> {
  // Our own directory: yeoman-test removes its temporary ones when the next run starts.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'regenerate-'));
  await generateProject({ ...BASE_FLAGS, ...flags }, { cwd: dir });
  return dir;
}

const OLDER = '# older template line';

describe('fresh generation', () => {
  it('stores the pristine render (sorted, no .env) and the answers', async () => {
    const dir = await freshProject();
    const pristine = readPristine(dir);
    expect(pristine.has('.env')).toBe(false);
    expect(pristine.get('.env.example')).toBe(read(dir, '.env.example'));
    expect(pristine.get(FILE)).toBe(read(dir, FILE));
    const keys = Object.keys(JSON.parse(read(dir, PRISTINE_PATH)).files);
    expect(keys).toEqual([...keys].sort());
    expect(JSON.parse(read(dir, '.yo-rc.json'))['generator-django-prod'].answers.domain).toBe('app.test');
  });

  it('is deterministic: two runs store the same bytes', async () => {
    // The same answers: the admin path's default is random (and then stored).
    const sameAnswers = { adminPath: 'admin-0123456789ab' };
    const [a, b] = [await freshProject(sameAnswers), await freshProject(sameAnswers)];
    expect(read(a, PRISTINE_PATH)).toBe(read(b, PRISTINE_PATH));
  });
});

describe('regeneration', () => {
  it('with nothing changed leaves every file (and .env secrets) byte-identical', async () => {
    const dir = await freshProject();
    const before = readFileSync(path.join(dir, '.env'), 'utf8');
    const tree = readTree(dir);
    const { error, log } = await regenerate(dir);
    expect(error).toBeUndefined();
    expect(readTree(dir)).toEqual(tree);
    expect(read(dir, '.env')).toBe(before);
    expect(log).toMatch(/unchanged\s+\d+/);
    expect(log).toMatch(/updated\s+0\n/);
  });

  it('replaces a file the user never touched with the new render', async () => {
    const dir = await freshProject();
    const rendered = read(dir, FILE);
    const older = replaceLine(rendered, 1, OLDER);
    rewritePristine(dir, { [FILE]: () => older });
    write(dir, FILE, older);
    const { error, log } = await regenerate(dir);
    expect(error).toBeUndefined();
    expect(read(dir, FILE)).toBe(rendered);
    expect(log).toMatch(new RegExp(`updated:\\n  ${FILE.replace('.', '\\.')}`));
  });

  it('keeps a file the user changed when the new render did not change it', async () => {
    const dir = await freshProject();
    const mine = `${read(dir, FILE)}# my own tuning\n`;
    write(dir, FILE, mine);
    const { error, log } = await regenerate(dir);
    expect(error).toBeUndefined();
    expect(read(dir, FILE)).toBe(mine);
    expect(log).toContain(`kept:\n  ${FILE}`);
  });

  it('merges cleanly when both changed different regions', async () => {
    const dir = await freshProject();
    const rendered = read(dir, FILE);
    const older = replaceLine(rendered, 1, OLDER);
    rewritePristine(dir, { [FILE]: () => older });
    write(dir, FILE, `${older}# my own tuning\n`);
    const { error, log } = await regenerate(dir);
    expect(error).toBeUndefined();
    expect(read(dir, FILE)).toBe(`${rendered}# my own tuning\n`);
    expect(log).toContain(`merged:\n  ${FILE}`);
  });

  it('writes conflict markers, lists the file and exits 3 (after writing) when both changed the same lines', async () => {
    const dir = await freshProject();
    const rendered = read(dir, FILE);
    const renderedLine = rendered.split('\n')[1];
    const older = replaceLine(rendered, 1, OLDER);
    rewritePristine(dir, { [FILE]: () => older });
    write(dir, FILE, replaceLine(older, 1, '# my line'));
    const mineElsewhere = `${read(dir, OTHER)}# mine\n`;
    write(dir, OTHER, mineElsewhere);
    const { error, log } = await regenerate(dir);
    expect(error?.code).toBe(3);
    expect(error?.message).toContain(FILE);
    const merged = read(dir, FILE);
    expect(merged).toContain(`<<<<<<< yours\n# my line\n=======\n${renderedLine}\n>>>>>>> generator\n`);
    expect(log).toMatch(/conflict\s+1\n/);
    expect(log).toContain(`conflict:\n  ${FILE}`);
    // Everything else was still written: the new base and the other files.
    expect(readPristine(dir).get(FILE)).toBe(rendered);
    expect(read(dir, OTHER)).toBe(mineElsewhere);

    // The next run refuses until the markers are resolved (merging over them would nest them).
    const again = await regenerate(dir);
    expect(again.error?.code).toBe(2);
    expect(again.error?.message).toBe(
      `Unresolved conflict markers from the last regeneration in ${FILE}: resolve them and commit first (or pass --force)`,
    );
    expect(read(dir, FILE)).toBe(merged);
    write(dir, FILE, replaceLine(rendered, 1, '# my line'));
    const resolved = await regenerate(dir);
    expect(resolved.error).toBeUndefined();
    expect(resolved.log).toContain(`  ${FILE}  (your edit; the generator did not change it)`);
  });

  it('keeps a file the user deleted deleted', async () => {
    const dir = await freshProject();
    rewritePristine(dir, { [FILE]: (content) => replaceLine(content, 1, OLDER) });
    rmSync(path.join(dir, FILE));
    const { error, log } = await regenerate(dir);
    expect(error).toBeUndefined();
    expect(existsSync(path.join(dir, FILE))).toBe(false);
    expect(log).toContain(`${FILE}  (deleted by you: stays deleted)`);
  });

  it('deletes a file the new render dropped only if the user never touched it', async () => {
    const dir = await freshProject({ celery: true });
    const tasks = 'my_site/tasks.py';
    const celery = 'my_site/celery.py';
    write(dir, tasks, `${read(dir, tasks)}\n# my task\n`);
    const { error, log } = await regenerate(dir, { celery: false });
    expect(error).toBeUndefined();
    expect(existsSync(path.join(dir, celery))).toBe(false);
    expect(read(dir, tasks)).toContain('# my task');
    expect(log).toContain(`removed:\n  ${celery}`);
    expect(log).toContain(`${tasks}  (no longer generated, but you changed it`);
    expect(readPristine(dir).has(tasks)).toBe(false);
  });

  it('adds files new in the render (a flag changes one stored answer)', async () => {
    const dir = await freshProject({ celery: false });
    expect(existsSync(path.join(dir, 'my_site/celery.py'))).toBe(false);
    const { error, log } = await regenerate(dir, { celery: true });
    expect(error).toBeUndefined();
    expect(read(dir, 'my_site/celery.py')).toContain('Celery');
    expect(log).toContain('added:\n  my_site/celery.py\n  my_site/tasks.py');
    expect(JSON.parse(read(dir, '.yo-rc.json'))['generator-django-prod'].answers.celery).toBe(true);
    // The other stored answers were reused.
    expect(JSON.parse(read(dir, '.yo-rc.json'))['generator-django-prod'].answers.domain).toBe('app.test');
  });

  it('merges a file the user created where the render adds one against an empty base', async () => {
    const dir = await freshProject({ celery: false });
    write(dir, 'my_site/tasks.py', '# my own tasks\n');
    const { error, log } = await regenerate(dir, { celery: true });
    expect(error?.code).toBe(3);
    const merged = read(dir, 'my_site/tasks.py');
    expect(merged).toMatch(/^<<<<<<< yours\n# my own tasks\n=======\n/);
    expect(merged).toContain('>>>>>>> generator');
    expect(log).toContain('my_site/tasks.py  (1 conflict; you created this file before the generator did)');
  });

  it('never regenerates a secret file; appends variables new in .env.example', async () => {
    const dir = await freshProject();
    const env = read(dir, '.env');
    const key = read(dir, 'secrets/django_secret_key');
    const lines = env.split('\n');
    const dropped = lines.findIndex((line) => /^[A-Z][A-Z0-9_]*=/.test(line));
    const [droppedName] = lines[dropped]!.split('=');
    const trimmed = lines.filter((_, index) => index !== dropped).join('\n');
    write(dir, '.env', trimmed);
    write(dir, 'secrets/redis_password', 'my own password');
    const { error, log } = await regenerate(dir);
    expect(error).toBeUndefined();
    const after = read(dir, '.env');
    expect(after.startsWith(trimmed)).toBe(true);
    expect(after.slice(trimmed.length)).toMatch(new RegExp(`^${droppedName}=`, 'm'));
    expect([read(dir, 'secrets/django_secret_key'), read(dir, 'secrets/redis_password')]).toEqual([key, 'my own password']);
    expect(log).toContain(`.env  (new variables appended (${droppedName}), existing values untouched: add them to each server's .env too)`);
    expect(statSync(path.join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'secrets')).mode & 0o777).toBe(0o700);
    expect(readPristine(dir).has('.env')).toBe(false);
    expect([...readPristine(dir).keys()].filter((file) => file.startsWith('secrets/'))).toEqual([]);
  });

  it("moves an older release's .env secrets into secret files, values kept, and out of .env", async () => {
    const dir = await freshProject();
    const key = read(dir, 'secrets/django_secret_key');
    rmSync(path.join(dir, 'secrets'), { recursive: true });
    write(dir, '.env', `DJANGO_SECRET_KEY=${key}\nREDIS_PASSWORD=old-redis\n${read(dir, '.env')}`);
    const { error, log } = await regenerate(dir);
    expect(error).toBeUndefined();
    expect([read(dir, 'secrets/django_secret_key'), read(dir, 'secrets/redis_password')]).toEqual([key, 'old-redis']);
    expect(read(dir, 'secrets/postgres_password')).toMatch(/^[\w-]{64}$/);
    expect(read(dir, '.env')).not.toMatch(/SECRET_KEY=|REDIS_PASSWORD=/);
    expect(log).toContain("secrets/django_secret_key  (DJANGO_SECRET_KEY's value in .env)");
    expect(log).toContain('secrets moved to secrets/ (DJANGO_SECRET_KEY, REDIS_PASSWORD)');
  });

  it('--dry-run prints the same table and writes nothing (not even .yo-rc.json)', async () => {
    const dir = await freshProject({ celery: false });
    rewritePristine(dir, { [FILE]: (content) => replaceLine(content, 1, OLDER) });
    write(dir, FILE, replaceLine(read(dir, FILE), 1, '# my line'));
    const tree = readTree(dir);
    const { error, log } = await regenerate(dir, { celery: true, dryRun: true });
    expect(log).toContain('--dry-run: nothing written');
    expect(log).toContain('added:\n  my_site/celery.py');
    expect(log).toContain(`conflict:\n  ${FILE}`);
    expect(error?.code).toBe(3);
    expect(readTree(dir)).toEqual(tree);
  });

  it('refuses a git repository with uncommitted changes unless --force', async () => {
    const dir = await freshProject();
    commitAll(dir);
    write(dir, OTHER, `${read(dir, OTHER)}# uncommitted\n`);
    const refused = await regenerate(dir);
    expect(refused.error?.message).toMatch(
      /has 1 uncommitted change\(s\): commit or stash them first so a bad merge can be undone with git \(or pass --force\)/,
    );
    expect(refused.error?.message).not.toContain('\n');
    const dry = await regenerate(dir, { dryRun: true });
    expect(dry.error).toBeUndefined();
    const forced = await regenerate(dir, { force: true });
    expect(forced.error).toBeUndefined();
    expect(read(dir, OTHER)).toContain('# uncommitted');
    commitAll(dir);
    expect((await regenerate(dir)).error).toBeUndefined();
  });

  it('asks only answers missing from the store; --ask-answered asks them all', async () => {
    const dir = await freshProject();
    const rcPath = path.join(dir, '.yo-rc.json');
    const rc = JSON.parse(readFileSync(rcPath, 'utf8'));
    delete rc['generator-django-prod'].answers.uploadLimitMb;
    writeFileSync(rcPath, JSON.stringify(rc, null, 2));
    // uploadLimitMb is an advanced answer: the gate opens the way to it.
    const onlyMissing = await regenerate(
      dir,
      { cpus: undefined, memoryMb: undefined },
      { yes: false, answers: { customizeAdvanced: true, uploadLimitMb: '25' } },
    );
    expect(onlyMissing.error).toBeUndefined();
    expect(onlyMissing.askedQuestions).toEqual(['customizeAdvanced', 'uploadLimitMb']);
    expect(JSON.parse(read(dir, '.yo-rc.json'))['generator-django-prod'].answers.uploadLimitMb).toBe(25);

    const all = await regenerate(
      dir,
      { cpus: undefined, memoryMb: undefined, askAnswered: true },
      { yes: false, answers: { customizeAdvanced: true } },
    );
    expect(all.error).toBeUndefined();
    expect(all.askedQuestions).toContain('domain');
    expect(all.askedQuestions).toContain('uploadLimitMb');
    // Stored values are the defaults: accepting every default changes nothing.
    expect(JSON.parse(read(dir, '.yo-rc.json'))['generator-django-prod'].answers.uploadLimitMb).toBe(25);
    expect(JSON.parse(read(dir, '.yo-rc.json'))['generator-django-prod'].answers.domain).toBe('app.test');
  });
});
