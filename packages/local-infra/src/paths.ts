import path from 'node:path';

/** Repository root: this file lives in packages/local-infra/{src,dist}/. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Package root, where the Maven pom and the FerretDB wrapper live. */
export const packageRoot = path.resolve(__dirname, '..');

/**
 * Everything the local infrastructure downloads, builds or writes lives under one git-ignored folder,
 * so a second run reuses it and `rm -rf .local` starts over. LOCAL_INFRA_HOME moves it (e.g. to a CI cache).
 */
export const localHome = process.env.LOCAL_INFRA_HOME
  ? path.resolve(process.env.LOCAL_INFRA_HOME)
  : path.join(repoRoot, '.local');

export const dirs = {
  bin: path.join(localHome, 'bin'),
  cache: path.join(localHome, 'cache'),
  kafkaLibs: path.join(localHome, 'kafka', 'libs'),
  run: path.join(localHome, 'run'),
};
