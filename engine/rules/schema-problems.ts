import type { ErrorObject } from 'ajv';
import type { ScrubProblem } from '../errors.js';
import { describeSchemaError, withoutBranchNoise } from '../model/schema-errors.js';
import { pointerToSegments, type YamlSource } from './yaml-source.js';

/**
 * ajv's errors for a YAML document (a rule, a payer policy, a rule test file, a data list) as
 * problems at the line and column of the offending key or value.
 */
export function schemaProblems(source: YamlSource, errors: readonly ErrorObject[]): ScrubProblem[] {
  return withoutBranchNoise(resolveOneOfs(errors)).map((error) => {
    const at = pointerToSegments(error.instancePath);
    const params = error.params as Record<string, unknown>;
    const position =
      error.keyword === 'additionalProperties' ? source.locateKey(at, String(params.additionalProperty)) : source.locate(at);
    const hint = error.keyword === 'additionalProperties' ? ' Check its spelling; unknown keys are refused.' : '';
    return { position: { file: source.file, ...position }, message: describeSchemaError(error) + hint };
  });
}

/**
 * A oneOf error alone says only "does not match any of the allowed forms". When exactly one
 * branch has the value's type (the others fail on `type` at the value itself), that branch's
 * errors replace the oneOf error and its branches' errors: they say what is wrong (an unknown
 * key, a value outside an enum).
 */
function resolveOneOfs(errors: readonly ErrorObject[]): ErrorObject[] {
  const replacements = new Map<ErrorObject, ErrorObject[]>();
  const consumed = new Set<ErrorObject>();
  for (const oneOf of errors) {
    if (oneOf.keyword !== 'oneOf') continue;
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors) {
      if (error === oneOf || !error.schemaPath.startsWith(`${oneOf.schemaPath}/`)) continue;
      if (error.instancePath !== oneOf.instancePath && !error.instancePath.startsWith(`${oneOf.instancePath}/`)) continue;
      const branch = error.schemaPath.slice(oneOf.schemaPath.length + 1).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    const applicable = [...branches.values()].filter(
      (branchErrors) => !branchErrors.some((error) => error.keyword === 'type' && error.instancePath === oneOf.instancePath),
    );
    if (applicable.length !== 1) continue;
    replacements.set(oneOf, applicable[0] as ErrorObject[]);
    for (const branchErrors of branches.values()) for (const error of branchErrors) consumed.add(error);
  }
  return errors.filter((error) => !consumed.has(error)).flatMap((error) => replacements.get(error) ?? [error]);
}
