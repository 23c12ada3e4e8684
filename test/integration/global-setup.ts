import { existsSync } from 'node:fs';
import { join } from 'node:path';

// Integration tests run against the dedicated engine and registry mirror that scripts/test.sh starts.
// They must never run against a developer's own engine by accident, and never skip silently.
export default function setup(): void {
  if (process.env.TP7_TEST_ENGINE !== '1' || !process.env.DOCKER_HOST) {
    throw new Error('integration tests need the test engine: run scripts/test.sh (it starts dockerd and the registry mirror)');
  }
  if (!existsSync(join(import.meta.dirname, '../../dist/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (scripts/test.sh does)');
  }
}
