// Pure helpers for tools.ts: reading a go.mod, expanding version templates, and turning CRD files
// from a module into plain manifests the API server accepts without any webhook.
import { dump, loadAll } from 'js-yaml';

interface GoModDirectives {
  require: Map<string, string>;
  /** Left-hand module path to the right-hand side as written ("./staging/src/k8s.io/api" or "mod v1.2.3"). */
  replace: Map<string, string>;
}

function stripComment(line: string): string {
  const at = line.indexOf('//');
  return (at >= 0 ? line.slice(0, at) : line).trim();
}

/** The `require` and `replace` directives of a go.mod file (single-line and block forms). */
export function parseGoMod(text: string): GoModDirectives {
  const out: GoModDirectives = { require: new Map(), replace: new Map() };
  let block: 'require' | 'replace' | 'other' | undefined;
  const take = (kind: string, body: string) => {
    if (kind === 'require') {
      const [mod, version] = body.split(/\s+/);
      if (mod && version) out.require.set(mod, version);
    } else if (kind === 'replace') {
      const [left, right] = body.split('=>').map((s) => s.trim());
      const mod = left?.split(/\s+/)[0];
      if (mod && right) out.replace.set(mod, right);
    }
  };
  for (const raw of text.split('\n')) {
    const line = stripComment(raw);
    if (!line) continue;
    if (block) {
      if (line === ')') block = undefined;
      else take(block, line);
      continue;
    }
    const m = /^(\w+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, verb, rest] = m as unknown as [string, string, string];
    if (rest === '(') block = verb === 'require' || verb === 'replace' ? verb : 'other';
    else take(verb, rest);
  }
  return out;
}

/**
 * Modules that a go.mod both requires and replaces onto a directory inside its own module (how
 * k8s.io/kubernetes uses its staging modules). A module depending on it must replace each of them
 * with a published version, because replace directives only apply in the main module.
 */
export function localReplacedRequirements(goMod: string): string[] {
  const { require, replace } = parseGoMod(goMod);
  return [...replace.entries()]
    .filter(([mod, target]) => /^\.{1,2}\//.test(target) && require.has(mod))
    .map(([mod]) => mod)
    .sort();
}

/** Expands {version}, {major}, {minor} and {patch} (from a "vMAJOR.MINOR.PATCH" version) in a template. */
export function expandVersion(template: string, version: string): string {
  const m = /^v(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`not a semantic version: ${version}`);
  const [, major, minor, patch] = m as unknown as [string, string, string, string];
  return template
    .replaceAll('{version}', version)
    .replaceAll('{major}', major)
    .replaceAll('{minor}', minor)
    .replaceAll('{patch}', patch);
}

/** A line that is only Helm template syntax, e.g. `{{- if .Values.crds.enabled }}`. */
const helmLine = /^\s*\{\{-?.*-?\}\}\s*$/;

/**
 * A plain CRD manifest from a CRD file as a module ships it: lines that are only Helm template
 * directives are dropped, and a conversion webhook (which would need the cert-manager webhook to be
 * running) is removed. Files that need neither change are returned unchanged. Throws when template
 * syntax remains inside a line, since that cannot be resolved without Helm.
 */
export function plainCrd(text: string, name = 'CRD'): string {
  const lines = text.split('\n').filter((line) => !helmLine.test(line));
  const stripped = lines.join('\n');
  if (stripped.includes('{{')) throw new Error(`${name}: Helm template syntax inside a line`);
  const docs = loadAll(stripped).filter(
    (d): d is Record<string, unknown> => d !== null && typeof d === 'object',
  );
  if (docs.length === 0) throw new Error(`${name}: no YAML document`);
  let changed = lines.length !== text.split('\n').length;
  for (const doc of docs) {
    if (doc.kind !== 'CustomResourceDefinition') throw new Error(`${name}: not a CustomResourceDefinition`);
    const spec = doc.spec as Record<string, unknown> | undefined;
    const conversion = spec?.conversion as { strategy?: string } | undefined;
    if (spec && conversion && conversion.strategy !== 'None') {
      delete spec.conversion;
      changed = true;
    }
  }
  if (!changed) return text;
  return docs.map((d) => '---\n' + dump(d, { lineWidth: -1 })).join('');
}
