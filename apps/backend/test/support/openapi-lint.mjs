// Lints the OpenAPI document on stdin with Redocly's `recommended` rules and prints the problems
// as JSON. A child process: @redocly/openapi-core is ESM-only, and Jest's VM loads CommonJS.
import { createConfig, lintFromString } from '@redocly/openapi-core';

let source = '';
for await (const chunk of process.stdin) source += chunk;
const config = await createConfig({ extends: ['recommended'] });
const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config });
process.stdout.write(
  JSON.stringify(
    problems.map((problem) => ({
      rule: problem.ruleId,
      severity: problem.severity,
      message: problem.message,
      at: problem.location[0]?.pointer,
    })),
  ),
);
