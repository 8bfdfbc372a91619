// Backups are only as good as the last restore: rows written now must come back from the dump
// that backup.sh makes, restored into a scratch database. With an off-site bucket, they must also
// come back from the bucket alone once the local backups are gone (and, encrypted, the object in
// the bucket must not be a readable pg_dump archive).
import { randomBytes, randomInt } from 'node:crypto';
import { expectThat, tailOf, type Probe, type ProbeContext } from '../../generators/verify/probes/probe.ts';

/** psql/pg_* in the backup container, which has the connection settings as PG* variables. */
const inBackup = (ctx: ProbeContext, what: string, cmd: string[], timeoutMs = 120_000) => inService(ctx, 'backup', what, cmd, timeoutMs);

async function inService(ctx: ProbeContext, service: string, what: string, cmd: string[], timeoutMs = 120_000): Promise<string> {
  const result = await ctx.stack.exec(service, cmd, { timeoutMs });
  expectThat(result.exitCode === 0, `${what} exited ${result.exitCode}: ${tailOf(`${result.stdout}\n${result.stderr}`)}`);
  return result.stdout;
}

/** psql as the application's role in the db container (its local socket trusts its own users). */
const asApp = (sql: string) => [
  'sh',
  '-c',
  'exec psql -h /var/run/postgresql -U app -d "$POSTGRES_DB" -v ON_ERROR_STOP=1 -X -q -tA -c "$0"',
  sql,
];

export const backupsProbe: Probe = {
  name: 'backups',
  async run(ctx) {
    const rows = randomInt(20, 60);
    const psql = (sql: string, database?: string) => [
      'psql',
      '-v',
      'ON_ERROR_STOP=1',
      '-X',
      '-q',
      '-tA',
      ...(database ? ['-d', database] : []),
      '-c',
      sql,
    ];
    // Written as the application's role, which owns the database (the backup role may only read it):
    // psql in db over its local socket.
    await inService(
      ctx,
      'db',
      'writing probe rows as app',
      asApp(
        'DROP TABLE IF EXISTS verify_probe; CREATE TABLE verify_probe (id integer PRIMARY KEY, note text NOT NULL); ' +
          `INSERT INTO verify_probe SELECT g, 'row ' || g FROM generate_series(1, ${rows}) AS g;`,
      ),
    );

    const started = Date.now();
    await inBackup(ctx, 'backup.sh', ['backup.sh'], 300_000);
    const seconds = (Date.now() - started) / 1000;
    const dump = (await inBackup(ctx, 'finding the newest dump', ['sh', '-c', 'ls -1t /backups/daily/*.dump | head -n 1'])).trim();
    expectThat(dump.endsWith('.dump'), `backup.sh left no /backups/daily/*.dump (found "${dump}")`);
    const list = await inBackup(ctx, 'pg_restore --list', ['pg_restore', '--list', dump]);
    expectThat(/TABLE DATA \S+ verify_probe/.test(list), `pg_restore --list ${dump} does not show the verify_probe table's data`);

    const scratch = `verify_restore_${randomBytes(3).toString('hex')}`;
    await inBackup(ctx, 'createdb', ['createdb', scratch]);
    try {
      await inBackup(
        ctx,
        'pg_restore into a scratch database',
        ['pg_restore', '--no-owner', '--exit-on-error', '--dbname', scratch, dump],
        300_000,
      );
      const restored = (
        await inBackup(ctx, 'reading restored rows', psql("SELECT count(*) || ' ' || sum(id) FROM verify_probe", scratch))
      ).trim();
      expectThat(
        restored === `${rows} ${(rows * (rows + 1)) / 2}`,
        `restored verify_probe has "${restored}" (count sum), expected "${rows} ${(rows * (rows + 1)) / 2}"`,
      );
    } finally {
      await ctx.stack.exec('backup', ['dropdb', '--if-exists', scratch]).catch(() => undefined);
    }

    // The generated restore drill, when the repository has one, must pass as well.
    const hasDrill = (await ctx.stack.exec('backup', ['sh', '-c', 'command -v restore.sh'])).exitCode === 0;
    let drill = 'no restore.sh';
    if (hasDrill) {
      const output = await inBackup(ctx, 'restore.sh --drill', ['restore.sh', '--drill'], 300_000);
      drill = `restore.sh --drill ok (${tailOf(output, 1).slice(0, 120)})`;
    }
    const offsite = ctx.render.backups?.s3 ? `; ${await restoreFromBucket(ctx, dump.split('/').pop()!, rows, psql)}` : '';
    return `backup.sh ${seconds.toFixed(1)} s -> ${dump.split('/').pop()}; pg_restore --list ok; ${rows} rows restored into a scratch DB; ${drill}${offsite}`;
  },
};

/** The dump as uploaded, the local backups deleted, then restore.sh --from-s3 into a fresh database. */
async function restoreFromBucket(
  ctx: ProbeContext,
  name: string,
  rows: number,
  psql: (sql: string, database?: string) => string[],
): Promise<string> {
  const listed = await inBackup(ctx, 'restore.sh --list-s3', ['restore.sh', '--list-s3']);
  expectThat(
    listed.split('\n').some((line) => line.trim() === `daily/${name}`),
    `restore.sh --list-s3 does not list daily/${name}: ${tailOf(listed)}`,
  );

  // The object exactly as the bucket holds it: encrypted, it must not even parse as a pg_dump archive.
  const encrypted = ctx.render.backups!.s3!.encrypt;
  const raw = await ctx.stack.exec(
    'backup',
    [
      'bash',
      '-c',
      '. /usr/local/bin/offsite.sh && offsite_configure && ' +
        `rclone copyto "\${offsite_root}daily/${name}${encrypted ? '.age' : ''}" /tmp/verify-object && head -c 32 /tmp/verify-object | tr -c '[:print:]' . && echo ` +
        '&& { pg_restore --list /tmp/verify-object >/dev/null 2>&1 && echo READABLE || echo UNREADABLE; }; rm -f /tmp/verify-object',
    ],
    { timeoutMs: 120_000 },
  );
  expectThat(raw.exitCode === 0, `reading daily/${name} from the bucket exited ${raw.exitCode}: ${tailOf(raw.stderr || raw.stdout)}`);
  const [magic = '', readable = ''] = raw.stdout.trim().split('\n');
  if (encrypted) {
    expectThat(
      magic.startsWith('age-encryption.org/v1') && readable === 'UNREADABLE',
      `the bucket's copy of ${name} is not age-encrypted (starts "${magic}", pg_restore: ${readable})`,
    );
  } else {
    expectThat(readable === 'READABLE', `the bucket's copy of ${name} is not a readable pg_dump archive`);
  }

  // The server is gone: no local dump is left to fall back on.
  await inBackup(ctx, 'deleting the local backups', [
    'sh',
    '-c',
    'rm -rf /backups/daily /backups/weekly /backups/monthly /backups/offsite',
  ]);
  const fresh = `verify_offsite_${randomBytes(3).toString('hex')}`;
  try {
    // The age secret key on standard input, as restore.sh --help says (never in the container's environment).
    await inBackup(
      ctx,
      `restore.sh --from-s3 ${name}`,
      ['bash', '-c', 'restore.sh --from-s3 "$1" "$2" <<< "$3"', 'restore', name, fresh, ctx.stack.agePair.identity],
      300_000,
    );
    const restored = (
      await inBackup(ctx, 'reading rows restored from the bucket', psql("SELECT count(*) || ' ' || sum(id) FROM verify_probe", fresh))
    ).trim();
    expectThat(
      restored === `${rows} ${(rows * (rows + 1)) / 2}`,
      `verify_probe restored from the bucket has "${restored}" (count sum), expected "${rows} ${(rows * (rows + 1)) / 2}"`,
    );
  } finally {
    await ctx.stack.exec('backup', ['dropdb', '--if-exists', fresh]).catch(() => undefined);
  }
  return `bucket copy ${encrypted ? 'age-encrypted (not a pg_dump archive)' : 'uploaded'}; local backups deleted, ${rows} rows restored from the bucket into a fresh DB`;
}
