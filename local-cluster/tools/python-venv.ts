// nats-py (the Python NATS client, from PyPI) in a cached virtualenv, so the specs can prove that
// the credentials the operator hands out work from Python too. Pinned here rather than in
// versions.json: that file describes Go builds from the module proxy, and a pip install is not one.
// Built outside the network namespace (netns.sh runs `tools.ts build` first), like the Go tools.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The newest nats-py on PyPI when pinned; `nkeys` is its extra for NKey and creds (JWT) logins. */
export const NATS_PY_VERSION = '2.16.0';

/** Where the venv's python is (or will be). */
export const venvPython = (cacheRoot: string): string =>
  join(cacheRoot, 'venv', `nats-py-${NATS_PY_VERSION}`, 'bin', 'python');

/**
 * The venv's python with nats-py installed, building the venv first when missing. The venv is made
 * in a temporary directory beside its final place and renamed into it, so a concurrent process sees
 * either no venv or a whole one (a venv's python finds its packages through its own path, so the
 * rename does not break it; only pip's scripts keep the old path, and nothing here runs them).
 */
export function pythonWithNatsPy(cacheRoot: string): string {
  const python = venvPython(cacheRoot);
  const venv = dirname(dirname(python));
  const parent = dirname(venv);
  if (existsSync(python)) return python;
  if (process.env.NATS_WARDEN_NETNS)
    throw new Error(
      `nats-py ${NATS_PY_VERSION} is not installed in ${venv} and PyPI cannot be reached inside the network ` +
        'namespace: run `npm run tools -- build` first',
    );
  mkdirSync(parent, { recursive: true });
  const building = mkdtempSync(join(parent, `.nats-py-${NATS_PY_VERSION}-`));
  try {
    execFileSync('python3', ['-m', 'venv', building], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(
      join(building, 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        `nats-py[nkeys]==${NATS_PY_VERSION}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    try {
      renameSync(building, venv);
    } catch (error) {
      // Another process renamed its whole venv into place first: use that one.
      if (!existsSync(python)) throw error;
    }
    return python;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}
