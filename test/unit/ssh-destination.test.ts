import { describe, expect, it } from 'vitest';
import { destinationArgs, parseSshAddress, remoteCommand } from '../../src/ssh/destination.js';
import { explainSsh, SshError, sshReason } from '../../src/ssh/errors.js';

describe('ssh destinations', () => {
  it('passes on only what the address names, so ~/.ssh/config supplies the rest', () => {
    expect(destinationArgs(parseSshAddress('ssh://vm3'))).toEqual(['--', 'vm3']);
    expect(destinationArgs(parseSshAddress('ssh://alice@vm3:2222'))).toEqual(['-l', 'alice', '-p', '2222', '--', 'vm3']);
    expect(destinationArgs(parseSshAddress('ssh://root@[::1]:22'))).toEqual(['-l', 'root', '-p', '22', '--', '::1']);
  });

  it('refuses an address that is not ssh://[user@]host[:port] with the expected form', () => {
    expect(() => parseSshAddress('ssh://vm3/some/path')).toThrow(/expected ssh:\/\/\[user@\]host\[:port\]/);
    expect(() => parseSshAddress('ssh://')).toThrow(/invalid ssh:\/\/ address/);
  });

  it('quotes every word for the remote shell', () => {
    expect(remoteCommand(['docker', 'system', 'dial-stdio'])).toBe('docker system dial-stdio');
    expect(remoteCommand(['cat', "it's $(rm -rf ~)"])).toBe(`cat 'it'\\''s $(rm -rf ~)'`);
  });

  it("keeps ssh's own last words, escaped, and says what to do in both languages", () => {
    expect(sshReason('Warning: Permanently added x\nroot@h: Permission denied (publickey).\n', '?')).toBe('root@h: Permission denied (publickey).');
    expect(sshReason('evil \u001b[2J\n', '?')).toBe('evil \\u001b[2J');
    const refused = explainSsh(new SshError('root@h: Permission denied (publickey).', 255), 'ssh://vm3');
    expect(refused.en).toContain('`ssh vm3` must work without a password');
    expect(refused.fr).toContain('doit fonctionner sans mot de passe');
    expect(explainSsh(new SshError('Host key verification failed.', 255), 'ssh://vm3').en).toContain('accept its host key');
    expect(explainSsh(new SshError('no answer', null, 15000), 'ssh://vm3').fr).toBe('ssh : pas de réponse en 15 s');
  });
});
