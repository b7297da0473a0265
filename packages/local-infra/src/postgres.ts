import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Component } from './component';
import { dirs, packageRoot } from './paths';
import { InfraError, isAlive, run, tail } from './process';

export interface PostgresOptions {
  port?: number;
  /** Holds the cluster (data/) and its log; separate instances need separate folders. */
  runDir?: string;
  /**
   * Gives each index FerretDB creates a GIN sibling its pushed-down equality filters can use (see
   * ../postgresql/index-siblings.sql). On unless measuring FerretDB's plain behaviour.
   */
  indexSiblings?: boolean;
}

/** The role and database FerretDB uses; trust authentication, reachable on loopback only. */
const user = 'ferretdb';
const database = 'ferretdb';

/** PostgreSQL refuses to run as root: as root, its commands run as Debian's `postgres` system user. */
const systemUser = 'postgres';

const siblingsSql = path.join(packageRoot, 'postgresql', 'index-siblings.sql');

function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The newest /usr/lib/postgresql/<version>/bin (Debian's layout), else the one pg_config names, else undefined. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return path.join(root, versions[0]!, 'bin');
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const bin = pgConfig.status === 0 ? pgConfig.stdout.trim() : '';
  return bin && fs.existsSync(path.join(bin, 'initdb')) ? bin : undefined;
}

/** Uses Debian's PostgreSQL; installs the `postgresql` package with apt-get when running as root, otherwise says how. */
export async function installPostgres(): Promise<string> {
  const found = findPostgresBin();
  if (found) return found;
  if (!runningAsRoot() || !fs.existsSync('/usr/bin/apt-get')) {
    throw new InfraError('PostgreSQL is required but was not found. Install it (Debian: apt-get install postgresql).');
  }
  process.stderr.write('local-infra: installing postgresql with apt-get (first run only)...\n');
  await run('apt-get', ['install', '-y', '-qq', 'postgresql'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  const bin = findPostgresBin();
  if (!bin) throw new InfraError('apt-get installed postgresql, but no /usr/lib/postgresql/<version>/bin was found');
  return bin;
}

/** The postmaster's pid from its lock file, when that process is alive. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A PostgreSQL cluster of the project's own (the storage behind FerretDB): created once with initdb under
 * `.local/run/postgresql/data`, run on loopback with pg_ctl, never the machine's system cluster.
 */
export function createPostgres(options: PostgresOptions = {}): Component & { readonly dataDirs: string[] } {
  const port = options.port ?? 15432;
  const runDir = path.resolve(options.runDir ?? path.join(dirs.run, 'postgresql'));
  const dataDir = path.join(runDir, 'data');
  const logFile = path.join(runDir, 'postgresql.log');
  const url = `postgres://${user}@127.0.0.1:${port}/${database}`;

  /** Runs one of PostgreSQL's programs as the user the cluster belongs to, from `/` (a folder anyone may enter). */
  function pg(bin: string, command: string, args: string[]): Promise<string> {
    const file = path.join(bin, command);
    return runningAsRoot()
      ? run('runuser', ['-u', systemUser, '--', file, ...args], { cwd: '/' })
      : run(file, args, { cwd: '/' });
  }

  async function probe(): Promise<boolean> {
    const bin = findPostgresBin();
    if (!bin) return false;
    return pg(bin, 'pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-t', '1']).then(
      () => true,
      () => false,
    );
  }

  /** The run folder, owned by whoever runs the server (initdb insists on owning the data folder). */
  function prepareRunDir(): void {
    fs.mkdirSync(runDir, { recursive: true });
    if (!runningAsRoot()) return;
    const id = (flag: string) => Number(spawnSync('id', [flag, systemUser], { encoding: 'utf8' }).stdout.trim());
    const [uid, gid] = [id('-u'), id('-g')];
    if (!Number.isInteger(uid) || uid <= 0) throw new InfraError(`the system user '${systemUser}' does not exist`);
    fs.chownSync(runDir, uid, gid);
    const reach = spawnSync('runuser', ['-u', systemUser, '--', 'test', '-w', runDir]);
    if (reach.status !== 0) {
      throw new InfraError(`${systemUser} cannot write ${runDir}: make its parent folders traversable (chmod o+x)`);
    }
  }

  async function initCluster(bin: string): Promise<void> {
    if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
    // FerretDB accepts UTF8 with the C, POSIX or en_US.UTF8 locale only.
    await pg(bin, 'initdb', [
      '-D',
      dataDir,
      '-U',
      user,
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
    ]);
  }

  function psql(bin: string, db: string, sql: string): Promise<string> {
    const connection = ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db];
    return pg(bin, 'psql', [...connection, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql]);
  }

  async function ensureDatabase(bin: string): Promise<void> {
    const exists = await psql(bin, 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${database}'`);
    if (exists.trim() !== '1') await psql(bin, 'postgres', `CREATE DATABASE ${database}`);
    if (options.indexSiblings === false) {
      await psql(bin, database, 'DROP EVENT TRIGGER IF EXISTS local_infra_add_gin_sibling');
    } else {
      await psql(bin, database, fs.readFileSync(siblingsSql, 'utf8'));
    }
  }

  return {
    name: 'postgresql',
    url,
    external: false,
    dataDirs: [dataDir],
    install: async () => void (await installPostgres()),
    probe,
    async start() {
      if (postmasterPid(dataDir) !== undefined && (await probe())) return;
      const bin = await installPostgres();
      prepareRunDir();
      await initCluster(bin);
      const settings = [
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        // No Unix socket: nothing to clash with the system cluster's /var/run/postgresql.
        "-c unix_socket_directories=''",
        // Local, disposable data: a commit need not wait for its WAL flush (a crash loses the last
        // transactions, never consistency). fsync stays on.
        '-c synchronous_commit=off',
        // Plans FerretDB's prepared statements with their values, so `_jsonb -> $1` can match an index's
        // `_jsonb -> 'field'` (index-siblings.sql); planning a small query costs far less than a scan.
        '-c plan_cache_mode=force_custom_plan',
      ].join(' ');
      try {
        await pg(bin, 'pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', settings]);
      } catch (err) {
        throw new InfraError(`${(err as Error).message}\n${tail(logFile)}`);
      }
      await ensureDatabase(bin);
    },
    async stop() {
      const bin = findPostgresBin();
      if (!bin || postmasterPid(dataDir) === undefined) return;
      // fast: disconnects clients (FerretDB's pool) instead of waiting for them to leave.
      await pg(bin, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
    },
  };
}
