import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateOpenApi } from './openapi.js';

const target = fileURLToPath(new URL('../../../openapi.yml', import.meta.url));
writeFileSync(target, await generateOpenApi());
process.stdout.write(`wrote ${target}\n`);
