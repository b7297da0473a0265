// House rules for the deployables' Dockerfiles that a generic linter does not know:
//   node dockerfiles.mjs services/user/Dockerfile ... gateway/Dockerfile
// - every workspace manifest is copied before `npm ci` (npm ci refuses a workspace set that differs from the lockfile);
// - production install of the Dockerfile's own workspace; the same pinned Node 24 base everywhere;
// - a numeric non-root USER; CMD in exec form starting node with the kit's tracing first (SIGTERM reaches node);
// - all of them the same template apart from comments and the workspace path.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const workspaces = pkg.workspaces.flatMap((pattern) => {
  if (!pattern.endsWith('/*')) return [pattern];
  const base = pattern.slice(0, -2);
  return existsSync(join(root, base)) ? readdirSync(join(root, base)).map((d) => `${base}/${d}`) : [];
});
const manifests = workspaces.filter((w) => existsSync(join(root, w, 'package.json'))).sort();

const problems = [];
const bases = new Set();
// The Dockerfiles are one template: apart from comments and their own workspace path, they must not drift apart.
const shapes = new Map();
for (const file of process.argv.slice(2)) {
  const ws = dirname(file);
  const text = readFileSync(join(root, file), 'utf8').replace(/\\\n/g, ' ');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const where = (msg) => problems.push(`${file}: ${msg}`);

  for (const m of manifests) {
    if (!lines.some((l) => l.startsWith('COPY ') && l.includes(`${m}/package.json`)))
      where(`does not copy ${m}/package.json`);
  }
  const froms = lines.filter((l) => /^FROM node:/.test(l)).map((l) => l.split(/\s+/)[1]);
  for (const image of froms) {
    bases.add(image);
    if (!/^node:24\.\d+\.\d+-/.test(image)) where(`base ${image} is not pinned to an exact Node 24 version`);
  }
  if (!lines.some((l) => l.includes(`npm ci --omit=dev --workspace ${ws} `))) where(`no production install of ${ws}`);
  const users = lines.filter((l) => l.startsWith('USER '));
  const user = users.at(-1)?.split(/\s+/)[1] ?? '';
  if (!/^[1-9]\d*(:\d+)?$/.test(user))
    where(`last USER "${user}" is not a numeric non-root uid (runAsNonRoot needs one)`);
  const cmd = lines.filter((l) => l.startsWith('CMD ')).at(-1) ?? '';
  let argv = [];
  try {
    argv = JSON.parse(cmd.slice(4));
  } catch {
    where('CMD is not in exec (JSON) form');
  }
  // Node options may come first (e.g. --max-semi-space-size); tracing must be the first module loaded.
  const firstImport = argv.indexOf('--import');
  if (argv[0] !== 'node' || firstImport < 0 || argv[firstImport + 1] !== '@platform/kit/tracing') {
    where('CMD does not start `node [options] --import @platform/kit/tracing`');
  }
  if (lines.some((l) => /^ENTRYPOINT .*npm|^CMD .*"npm"/.test(l))) where('npm must not be PID 1');
  const shape = lines.map((l) =>
    /^COPY \S+\/package\.json /.test(l)
      ? l
      : l.replaceAll(`${ws}/`, '<ws>/').replaceAll(`/${ws}`, '/<ws>').replaceAll(` ${ws}`, ' <ws>'),
  );
  shapes.set(file, shape.join('\n'));
}
if (bases.size > 1) problems.push(`different base images: ${[...bases].join(', ')}`);
const [first, ...others] = [...shapes.entries()];
for (const [file, shape] of others) {
  if (first && shape !== first[1]) problems.push(`${file}: differs from ${first[0]} beyond its workspace path`);
}

if (problems.length) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exit(1);
}
process.stdout.write(`${process.argv.length - 2} Dockerfiles ok; workspace manifests: ${manifests.join(', ')}\n`);
