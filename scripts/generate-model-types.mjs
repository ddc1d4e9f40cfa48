// Generates engine/model/claim.generated.ts from engine/model/claim.schema.json, the one source of
// truth for the claim model. `--check` exits 1 when the committed file is stale (used by tests).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemaPath = `${root}engine/model/claim.schema.json`;
const outPath = `${root}engine/model/claim.generated.ts`;

export async function renderClaimTypes() {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  return compile(schema, 'ProfessionalClaim', {
    bannerComment:
      '/* Generated from claim.schema.json by scripts/generate-model-types.mjs (npm run gen:types). Do not edit. */',
    additionalProperties: false,
    unreachableDefinitions: false,
    style: { singleQuote: true },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rendered = await renderClaimTypes();
  if (process.argv.includes('--check')) {
    const current = readFileSync(outPath, 'utf8');
    if (current !== rendered) {
      console.error('engine/model/claim.generated.ts is stale: run npm run gen:types');
      process.exit(1);
    }
  } else {
    writeFileSync(outPath, rendered);
  }
}
