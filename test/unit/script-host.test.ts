import { localScriptHost } from '../../src/scripts/local-host.js';
import { execaRunner } from '../../src/processes/execa-runner.js';
import { scriptHostContract } from '../contract/script-host.js';
import { tempDir } from '../tmp.js';

// This machine as a ScriptHost, against the contract the SSH host also meets.
scriptHostContract('local', async () => ({ host: localScriptHost(execaRunner('/')), folder: async () => tempDir('host-') }));
