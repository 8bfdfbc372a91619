// requirements*.txt merge by package name: the user's line wins, lines both added are kept once,
// comments and options merge as lines; never a conflict.
import { describe, expect, it } from 'vitest';
import { mergeRequirements, requirementKey, REQUIREMENTS_FILE } from '../../generators/lib/merge-requirements.ts';

const text = (...lines: string[]) => `${lines.join('\n')}\n`;
const merged = (base: string, yours: string, generator: string) => {
  const result = mergeRequirements(base, yours, generator);
  expect(result.conflicts).toBe(0);
  return result.content;
};

describe('requirementKey', () => {
  it.each([
    ['Django>=5.2,<6.0', 'django'],
    ['django_Rest.framework[x] >= 3.15  # API', 'django-rest-framework'],
    ['celery[redis]>=5.5,<6', 'celery'],
    ['pkg @ https://example.com/pkg-1.0.tar.gz', 'pkg'],
    ['tomli>=2; python_version < "3.11"', 'tomli;python_version<"3.11"'],
    ['-r requirements.txt', '-r requirements.txt'],
    ['--index-url  https://pypi.example.com/simple', '--index-url https://pypi.example.com/simple'],
    ['git+https://example.com/x.git#egg=x', 'git+https://example.com/x.git#egg=x'],
  ])('%s -> %s', (line, key) => expect(requirementKey(line)).toBe(key));
  it('comments and blank lines have none', () => {
    expect(requirementKey('# psycopg 3, pure Python')).toBeUndefined();
    expect(requirementKey('   ')).toBeUndefined();
  });
  it('names every requirements file, in any folder', () => {
    expect(
      ['requirements.txt', 'requirements-dev.txt', 'requirements/base.txt'.replace('/base', '/requirements-base')].every((file) =>
        REQUIREMENTS_FILE.test(file),
      ),
    ).toBe(true);
    expect(REQUIREMENTS_FILE.test('docs/requirements.md')).toBe(false);
  });
});

describe('mergeRequirements', () => {
  const base = text('# Runtime dependencies', 'Django>=5.2,<6.0', 'gunicorn>=23.0,<24', 'redis>=5.0');

  it("both added lines at the end: each kept, the user's first (git alone conflicts there)", () => {
    expect(merged(base, `${base}requests>=2.32\n`, `${base}django-prometheus>=2.3,<3\n`)).toBe(
      `${base}requests>=2.32\ndjango-prometheus>=2.3,<3\n`,
    );
  });
  it("a package both added is kept once, with the user's specifier, and the generator's comment for it goes too", () => {
    const yours = `${base}django-prometheus==2.3.1\n`;
    const generator = text(
      '# Runtime dependencies',
      'Django>=5.2,<6.0',
      '# metrics for Prometheus',
      'django-prometheus>=2.3,<3',
      'gunicorn>=23.0,<24',
      'redis>=5.0',
    );
    expect(merged(base, yours, generator)).toBe(yours);
  });
  it("the user's specifier wins over the generator's change of the same package", () => {
    const yours = text('# Runtime dependencies', 'Django==5.2.7', 'gunicorn>=23.0,<24', 'redis>=5.0');
    const generator = text('# Runtime dependencies', 'Django>=5.2,<7.0', 'gunicorn>=23.0,<24', 'redis>=5.0');
    expect(merged(base, yours, generator)).toBe(yours);
  });
  it('lines the user never touched follow the generator: new bounds, removals, additions', () => {
    const yours = text('# Runtime dependencies', 'Django>=5.2,<6.0', 'gunicorn>=23.0,<24', 'redis==5.2.1', 'requests');
    const generator = text('# Runtime dependencies', 'Django>=5.2,<7.0', 'redis>=6.0', 'whitenoise>=6.5');
    // gunicorn: removed (untouched by the user); redis: the user's pin; whitenoise and requests: both kept.
    expect(merged(base, yours, generator)).toBe(
      text('# Runtime dependencies', 'Django>=5.2,<7.0', 'redis==5.2.1', 'requests', 'whitenoise>=6.5'),
    );
  });
  it('a package the user deleted stays deleted though the generator changed it', () => {
    const yours = text('# Runtime dependencies', 'Django>=5.2,<6.0', 'gunicorn>=23.0,<24');
    const generator = text('# Runtime dependencies', 'Django>=5.2,<6.0', 'gunicorn>=23.0,<24', 'redis>=6.0');
    expect(merged(base, yours, generator)).toBe(yours);
  });
  it("where both changed the same lines: the user's lines, then the generator's new packages", () => {
    const yours = text('# Our dependencies, pinned by us', 'Django==5.2.7', 'gunicorn>=23.0,<24', 'redis>=5.0');
    const generator = text(
      '# Runtime dependencies of my-site',
      '# Metrics',
      'django-prometheus>=2.3,<3',
      'Django>=5.2,<6.0',
      'gunicorn>=23.0,<24',
      'redis>=5.0',
    );
    expect(merged(base, yours, generator)).toBe(
      text('# Our dependencies, pinned by us', 'django-prometheus>=2.3,<3', 'Django==5.2.7', 'gunicorn>=23.0,<24', 'redis>=5.0'),
    );
  });
  it('a package the generator dropped but the user changed stays', () => {
    const yours = text('# Runtime dependencies', 'Django>=5.2,<6.0', 'gunicorn>=23.0,<24', 'redis==5.2.1');
    expect(merged(base, yours, text('# Runtime dependencies', 'Django>=5.2,<6.0', 'gunicorn>=23.0,<24'))).toBe(yours);
  });
  it('an options line both added is kept once; a package the user lists twice (markers) stays twice', () => {
    const dev = text('pytest>=8');
    expect(merged(dev, text('-r requirements.txt', 'pytest>=8'), text('-r requirements.txt', '', 'pytest>=8'))).toBe(
      text('-r requirements.txt', '', 'pytest>=8'),
    );
    const yours = text('pytest>=8', 'tomli>=2; python_version < "3.11"', 'tomli>=1; python_version >= "3.11"');
    expect(merged(dev, yours, text('pytest>=8', 'pytest-django>=4.9'))).toBe(`${yours}pytest-django>=4.9\n`);
  });
  it('a requirement with its --hash continuation lines is one package', () => {
    const hashed = (name: string, hash: string) => [`${name} \\`, `    --hash=sha256:${hash}`];
    const baseHashed = text(...hashed('Django==5.2.7', 'aaa'), ...hashed('gunicorn==23.0.0', 'bbb'));
    const yours = text(...hashed('Django==5.2.8', 'ccc'), ...hashed('gunicorn==23.0.0', 'bbb'));
    // Both moved Django on: the user's pin and hash win, whole; gunicorn follows the generator.
    const generator = text(...hashed('Django==5.2.9', 'eee'), ...hashed('gunicorn==23.0.1', 'ddd'));
    expect(merged(baseHashed, yours, generator)).toBe(text(...hashed('Django==5.2.8', 'ccc'), ...hashed('gunicorn==23.0.1', 'ddd')));
  });
  it("with no base (a file the user created first): the user's file, then the generator's other packages", () => {
    expect(merged('', text('Django==5.2.7', 'requests'), text('Django>=5.2,<6.0', 'gunicorn>=23.0,<24'))).toBe(
      text('Django==5.2.7', 'requests', 'gunicorn>=23.0,<24'),
    );
  });
});
