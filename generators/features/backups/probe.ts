// Backups are only as good as the last restore: rows written now must come back from the dump
// that backup.sh makes, restored into a scratch database.
import { randomBytes, randomInt } from 'node:crypto';
import { expectThat, tailOf, type Probe, type ProbeContext } from '../../verify/probes/probe.ts';

/** psql/pg_* in the backup container, which has the connection settings as PG* variables. */
async function inBackup(ctx: ProbeContext, what: string, cmd: string[], timeoutMs = 120_000): Promise<string> {
  const result = await ctx.stack.exec('backup', cmd, { timeoutMs });
  expectThat(result.exitCode === 0, `${what} exited ${result.exitCode}: ${tailOf(`${result.stdout}\n${result.stderr}`)}`);
  return result.stdout;
}

export const backupsProbe: Probe = {
  name: 'backups',
  async run(ctx) {
    const rows = randomInt(20, 60);
    const psql = (sql: string, database?: string) =>
      ['psql', '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-tA', ...(database ? ['-d', database] : []), '-c', sql];
    await inBackup(ctx, 'writing probe rows', psql(
      'DROP TABLE IF EXISTS verify_probe; CREATE TABLE verify_probe (id integer PRIMARY KEY, note text NOT NULL); '
      + `INSERT INTO verify_probe SELECT g, 'row ' || g FROM generate_series(1, ${rows}) AS g;`));

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
      await inBackup(ctx, 'pg_restore into a scratch database', ['pg_restore', '--no-owner', '--exit-on-error', '--dbname', scratch, dump], 300_000);
      const restored = (await inBackup(ctx, 'reading restored rows', psql('SELECT count(*) || \' \' || sum(id) FROM verify_probe', scratch))).trim();
      expectThat(restored === `${rows} ${(rows * (rows + 1)) / 2}`, `restored verify_probe has "${restored}" (count sum), expected "${rows} ${(rows * (rows + 1)) / 2}"`);
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
    return `backup.sh ${seconds.toFixed(1)} s -> ${dump.split('/').pop()}; pg_restore --list ok; ${rows} rows restored into a scratch DB; ${drill}`;
  },
};
