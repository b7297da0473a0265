// House rules for the one Dockerfile of the deployables, which a generic linter does not know, and for its users:
//   node dockerfiles.mjs Dockerfile skaffold.yaml .github/workflows/release.yml
// - every workspace manifest is copied before `npm ci` (npm ci refuses a workspace set that differs from the lockfile);
// - the WORKSPACE build argument is declared in every stage that reads it (a stage that does not declare it reads an
//   empty string), and not read by the shared manifests stage (so its layers are one cache for every image);
// - production install of that workspace; one pinned Node 24 base everywhere;
// - a numeric non-root USER; CMD in exec form starting node with the kit's tracing first (SIGTERM reaches node);
// - every deployable (a workspace with src/server.ts) is built by every skaffold artifact list and by the release.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const root = process.cwd();
const [dockerfile, skaffold, release] = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const workspaces = pkg.workspaces.flatMap((pattern) => {
  if (!pattern.endsWith('/*')) return [pattern];
  const base = pattern.slice(0, -2);
  return existsSync(join(root, base)) ? readdirSync(join(root, base)).map((d) => `${base}/${d}`) : [];
});
const manifests = workspaces.filter((w) => existsSync(join(root, w, 'package.json'))).sort();
const deployables = manifests.filter((w) => existsSync(join(root, w, 'src', 'server.ts')));

const problems = [];
const where = (file, msg) => problems.push(`${file}: ${msg}`);

const lines = readFileSync(join(root, dockerfile), 'utf8')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

for (const m of manifests) {
  if (!lines.some((l) => l.startsWith('COPY ') && l.includes(`${m}/package.json`)))
    where(dockerfile, `does not copy ${m}/package.json`);
}
const bases = new Set(lines.filter((l) => /^FROM node:/.test(l)).map((l) => l.split(/\s+/)[1]));
for (const image of bases) {
  if (!/^node:24\.\d+\.\d+-/.test(image)) where(dockerfile, `base ${image} is not pinned to an exact Node 24 version`);
}
if (bases.size !== 1) where(dockerfile, `expected one Node base image, found: ${[...bases].join(', ')}`);

// Stages: the lines from one FROM to the next. The global ARG before the first FROM only serves FROM lines.
const stages = [];
for (const line of lines) {
  if (line.startsWith('FROM ')) stages.push({ name: line.split(/\s+AS\s+/i)[1] ?? line, lines: [] });
  else stages.at(-1)?.lines.push(line);
}
const readsWorkspace = (l) => /\$\{?WORKSPACE\b/.test(l);
for (const stage of stages) {
  const declared = stage.lines.findIndex((l) => /^ARG WORKSPACE\b/.test(l));
  const firstRead = stage.lines.findIndex(readsWorkspace);
  if (firstRead >= 0 && (declared < 0 || declared > firstRead))
    where(dockerfile, `stage ${stage.name} reads WORKSPACE before declaring it (ARG WORKSPACE)`);
}
if (stages[0] && stages[0].lines.some(readsWorkspace))
  where(
    dockerfile,
    `the first stage (${stages[0].name}) reads WORKSPACE: its layers would not be shared by the images`,
  );
if (!lines.some((l) => /npm ci --omit=dev --workspace "\$\{WORKSPACE[:?}]/.test(l)))
  where(dockerfile, 'no production install of the WORKSPACE (npm ci --omit=dev --workspace "${WORKSPACE...}")');

const user =
  lines
    .filter((l) => l.startsWith('USER '))
    .at(-1)
    ?.split(/\s+/)[1] ?? '';
if (!/^[1-9]\d*(:\d+)?$/.test(user))
  where(dockerfile, `last USER "${user}" is not a numeric non-root uid (runAsNonRoot needs one)`);
const cmd = lines.filter((l) => l.startsWith('CMD ')).at(-1) ?? '';
let argv = [];
try {
  argv = JSON.parse(cmd.slice(4));
} catch {
  where(dockerfile, 'CMD is not in exec (JSON) form');
}
// Node options may come first (e.g. --max-semi-space-size); tracing must be the first module loaded.
const firstImport = argv.indexOf('--import');
if (argv[0] !== 'node' || firstImport < 0 || argv[firstImport + 1] !== '@platform/kit/tracing') {
  where(dockerfile, 'CMD does not start `node [options] --import @platform/kit/tracing`');
}
if (lines.some((l) => /^ENTRYPOINT .*npm|^CMD .*"npm"/.test(l))) where(dockerfile, 'npm must not be PID 1');

// skaffold: every artifact list (the default and each profile's own) builds every deployable once, from this file.
if (skaffold) {
  const text = readFileSync(join(root, skaffold), 'utf8');
  const lists = text.split(/^\s*artifacts:\s*$/m).slice(1);
  if (lists.length === 0) where(skaffold, 'no artifacts');
  lists.forEach((list, i) => {
    const body = list.split(/^\s*(?:deploy|profiles|portForward|patches):/m)[0];
    const built = [...body.matchAll(/^\s*WORKSPACE:\s*(\S+)\s*$/gm)].map((m) => m[1]).sort();
    const paths = [...body.matchAll(/^\s*(?:dockerfile|path):\s*(\S+)\s*$/gm)].map((m) => m[1]);
    if (built.join() !== deployables.join())
      where(
        skaffold,
        `artifact list ${i + 1} builds WORKSPACE ${built.join(', ')}; the deployables are ${deployables.join(', ')}`,
      );
    for (const p of paths.filter((p) => p !== dockerfile))
      where(skaffold, `artifact list ${i + 1} names ${p}, not ${dockerfile}`);
  });
}
// The release builds the same set (its matrix names the deployables by their folder's last part).
if (release) {
  const matrix = /deployable:\s*\[([^\]]*)\]/.exec(readFileSync(join(root, release), 'utf8'))?.[1] ?? '';
  const names = matrix
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
  const expected = deployables.map((w) => w.split('/').at(-1)).sort();
  if (names.join() !== expected.join())
    where(release, `builds ${names.join(', ')}; the deployables are ${expected.join(', ')}`);
  if (!/--build-arg "WORKSPACE=/.test(readFileSync(join(root, release), 'utf8')))
    where(release, 'does not pass the WORKSPACE build argument');
}

if (problems.length) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exit(1);
}
process.stdout.write(`${dockerfile} ok for ${deployables.join(', ')}; workspace manifests: ${manifests.join(', ')}\n`);
