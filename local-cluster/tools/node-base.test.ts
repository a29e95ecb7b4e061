// The pure parts of the Node base image's assembly: which name and key the Dockerfile's FROM leads
// to (and the refusal when it names another Node than the devDependency), and which Debian mirror
// apt's sources name. The assembly itself is proven by local-cluster/specs/images.test.ts.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../paths.ts';
import { debianMirrorIn, nodeBaseFor } from './node-base.ts';

const nodeVersion = (
  JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'node', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

describe('nodeBaseFor', () => {
  it("names the repository Dockerfile's base and keys it by the Node and npm versions", () => {
    const base = nodeBaseFor(join(repoRoot, 'Dockerfile'));
    expect(base.name).toBe(`docker.io/library/node:${nodeVersion}-bookworm-slim`);
    expect(base.key).toMatch(
      new RegExp(
        `^node-base@${nodeVersion.replaceAll('.', '\\.')}-npm\\d+\\.\\d+\\.\\d+-bookworm-[0-9a-f]{8}$`,
      ),
    );
  });

  it('refuses a Dockerfile whose base names another Node than the devDependency ships', () => {
    const dockerfile = join(mkdtempSync(join(tmpdir(), 'node-base-')), 'Dockerfile');
    writeFileSync(
      dockerfile,
      'ARG NODE_IMAGE=docker.io/library/node:22.0.0-bookworm-slim\nFROM ${NODE_IMAGE}\n',
    );
    expect(() => nodeBaseFor(dockerfile)).toThrow(`make it node:${nodeVersion}-bookworm-slim`);
    writeFileSync(dockerfile, 'FROM node:24\n');
    expect(() => nodeBaseFor(dockerfile)).toThrow('no `ARG NODE_IMAGE=<name>` default');
  });
});

describe('debianMirrorIn', () => {
  it('reads the main archive from deb822 sources, skipping the security archive', () => {
    const sources = [
      'Types: deb',
      'URIs: http://mirror.example/debian-security',
      'Suites: bookworm-security',
      '',
      'Types: deb',
      'URIs: http://mirror.example/debian/',
      'Suites: bookworm bookworm-updates',
    ].join('\n');
    expect(debianMirrorIn(sources)).toBe('http://mirror.example/debian');
  });

  it('reads one-line sources for bookworm, options included, and nothing from other sources', () => {
    expect(debianMirrorIn('deb [arch=amd64] https://mirror.example/debian bookworm main\n')).toBe(
      'https://mirror.example/debian',
    );
    expect(
      debianMirrorIn('deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n'),
    ).toBeUndefined();
  });
});
