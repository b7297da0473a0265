import fs from 'node:fs';
import path from 'node:path';
import { dirs } from './paths';
import { requireTool, run } from './process';

/**
 * Copies the runtime jars a pom names from Maven Central into `outputDir`, once: a marker file records a complete
 * copy, so an interrupted one is done again. Downloads are cached in .local/cache/m2, shared by every pom here.
 */
export async function fetchMavenJars(what: string, pom: string, outputDir: string): Promise<void> {
  const marker = path.join(outputDir, '.complete');
  if (fs.existsSync(marker)) return;
  requireTool('java', ['-version'], 'Install a JDK 17+ (Debian: apt-get install openjdk-17-jdk-headless).');
  requireTool('mvn', ['-v'], 'Install Apache Maven (Debian: apt-get install maven).');
  process.stderr.write(`local-infra: downloading ${what} from Maven Central (first run only)...\n`);
  fs.rmSync(outputDir, { recursive: true, force: true });
  await run('mvn', [
    '-B',
    '-q',
    '-f',
    pom,
    `-Dmaven.repo.local=${path.join(dirs.cache, 'm2')}`,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${outputDir}`,
  ]);
  fs.writeFileSync(marker, new Date().toISOString());
}
