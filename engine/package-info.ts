import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest folder above this module whose package.json is claimscrub's (dist/engine/ or engine/). */
function findPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name === 'claimscrub') return dir;
    } catch {
      // not here; look one level up
    }
    dir = path.dirname(dir);
  }
  throw new Error('claimscrub: cannot find its package.json');
}

export const PACKAGE_ROOT = findPackageRoot();
const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
export const ENGINE = { name: manifest.name, version: manifest.version };
export const BUNDLED_RULES_DIR = path.join(PACKAGE_ROOT, 'rules');
export const BUNDLED_PAYERS_DIR = path.join(PACKAGE_ROOT, 'payers');
