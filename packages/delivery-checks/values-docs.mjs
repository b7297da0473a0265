// Keeps a chart's README values table in step with its values.yaml (helm-docs conventions, no extra tool):
// a `# --` comment documents the key below it and everything under it. Every value must be documented by its own
// comment or an ancestor's, and the table between the README's markers must match what this script generates.
//   node values-docs.mjs --check charts/microservice     (exit 1 on an undocumented value or a stale table)
//   node values-docs.mjs --write charts/microservice     (regenerate the table)
// It reads the block-style YAML our values files use (maps, lists, flow [] / {} / [a, b], anchors); not all of YAML.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const START = '<!-- values:start -->';
const END = '<!-- values:end -->';

function scalar(text) {
  const t = text.trim();
  if (t === '' || t === 'null' || t === '~') return null;
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t.startsWith('*')) return `<alias ${t.slice(1)}>`;
  if (t === '[]') return [];
  if (t === '{}') return {};
  if (t.startsWith('[') && t.endsWith(']')) {
    return t
      .slice(1, -1)
      .split(',')
      .map((s) => scalar(s));
  }
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

/** Parses values.yaml into [{ path, doc, value }] for every key, plus the value tree. */
function parse(text) {
  const entries = [];
  const stack = [{ indent: -1, path: [], node: {} }];
  let pendingDoc = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (line.startsWith('# --')) {
      pendingDoc = line.slice(4).trim();
      continue;
    }
    if (line.startsWith('#')) {
      if (pendingDoc !== null && indent >= 0 && !line.startsWith('# ---')) pendingDoc += ' ' + line.slice(1).trim();
      continue;
    }
    if (line === '') {
      pendingDoc = null;
      continue;
    }
    while (stack.length > 1 && indent <= stack.at(-1).indent) stack.pop();
    const parent = stack.at(-1);
    if (line.startsWith('- ')) {
      // List item: scalars and maps of scalars are kept only as values (no entries of their own).
      if (!Array.isArray(parent.node)) continue;
      const item = line.slice(2);
      const kv = item.match(/^([\w.<-]+|"[^"]*"):\s*(.*)$/);
      if (kv) {
        const obj = { [kv[1].replaceAll('"', '')]: scalar(kv[2]) };
        parent.node.push(obj);
        stack.push({ indent: indent + 1, path: parent.path, node: obj, item: true });
      } else {
        parent.node.push(scalar(item));
      }
      continue;
    }
    const kv = line.match(/^([\w./<-]+|"[^"]*"):(?:\s+(.*))?$/);
    if (!kv) throw new Error(`line ${i + 1}: cannot read "${line}"`);
    const key = kv[1].replaceAll('"', '');
    let rest = (kv[2] ?? '').replace(/\s+#.*$/, '');
    if (rest.startsWith('&')) rest = rest.replace(/^&\S+\s*/, '');
    const path = parent.item ? parent.path : [...parent.path, key];
    if (rest === '' || rest === '|' || rest === '|-') {
      const next = lines.slice(i + 1).find((l) => l.trim() && !l.trim().startsWith('#')) ?? '';
      const child = next.trim().startsWith('- ') ? [] : {};
      if (!Array.isArray(parent.node)) parent.node[key] = child;
      if (!parent.item) entries.push({ path, doc: pendingDoc, value: child, leaf: false });
      stack.push({ indent, path, node: child });
    } else {
      const value = scalar(rest);
      if (!Array.isArray(parent.node)) parent.node[key] = value;
      if (!parent.item) entries.push({ path, doc: pendingDoc, value, leaf: true });
    }
    pendingDoc = null;
  }
  // A map or list with nothing under it is a leaf too.
  for (const e of entries) {
    if (!e.leaf && (Array.isArray(e.value) ? e.value.length === 0 : Object.keys(e.value).length === 0)) e.leaf = true;
  }
  return entries;
}

function table(entries) {
  const rows = entries
    .filter((e) => e.doc)
    .map((e) => {
      const def = JSON.stringify(e.value);
      const shown = def.length > 80 ? 'see values.yaml' : '`' + def.replaceAll('|', '\\|') + '`';
      return `| \`${e.path.join('.')}\` | ${shown} | ${e.doc.replaceAll('|', '\\|')} |`;
    });
  return ['| Key | Default | Description |', '| --- | --- | --- |', ...rows].join('\n');
}

const [mode, chart] = process.argv.slice(2);
const entries = parse(readFileSync(join(chart, 'values.yaml'), 'utf8'));
const documented = new Set(entries.filter((e) => e.doc).map((e) => e.path.join('.')));
const undocumented = entries
  .filter((e) => e.leaf)
  .filter((e) => !e.path.some((_, i) => documented.has(e.path.slice(0, i + 1).join('.'))))
  .map((e) => e.path.join('.'));

const readmePath = join(chart, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) {
  process.stderr.write(`${readmePath}: markers ${START} ... ${END} not found\n`);
  process.exit(1);
}
const generated = `${START}\n\n${table(entries)}\n\n${END}`;
// Prettier pads markdown tables; compare cell contents only.
const normalise = (md) =>
  md
    .split('\n')
    .map((l) =>
      l.startsWith('|')
        ? l
            .split(/(?<!\\)\|/)
            .map((c) => c.trim().replace(/^-{3,}$/, '---'))
            .join('|')
        : l.trim(),
    )
    .filter((l) => l !== '')
    .join('\n');
const current = readme.slice(from, to + END.length);

if (mode === '--write') {
  writeFileSync(readmePath, readme.slice(0, from) + generated + readme.slice(to + END.length));
  // The repository's formatter pads the table; run it so `prettier --check` (npm run lint) stays green.
  spawnSync('npx', ['prettier', '--write', readmePath], { stdio: 'ignore' });
} else if (normalise(current) !== normalise(generated)) {
  process.stderr.write(
    `${readmePath}: values table is stale; run node packages/delivery-checks/values-docs.mjs --write ${chart}\n`,
  );
  process.exitCode = 1;
}
if (undocumented.length) {
  process.stderr.write(`${chart}/values.yaml: values without a "# --" description:\n  ${undocumented.join('\n  ')}\n`);
  process.exitCode = 1;
}
if (!process.exitCode) process.stdout.write(`${chart}: ${documented.size} documented keys, README table up to date\n`);
