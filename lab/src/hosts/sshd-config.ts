// sshd_config of a lab host: key-only root login, like a fresh droplet. Pure.

export const SSH_HOST_KEY_TYPES = ['ed25519'] as const;

export function sshdConfig(): string {
  return `# Slipway lab host
Port 22
ListenAddress 0.0.0.0
${SSH_HOST_KEY_TYPES.map((t) => `HostKey /etc/ssh/ssh_host_${t}_key`).join('\n')}
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
UseDNS no
PrintMotd no
X11Forwarding no
AllowTcpForwarding yes
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
`;
}

/** root's authorized_keys: one key a line, trimmed, no blank lines. */
export function authorizedKeys(keys: readonly string[]): string {
  const lines = keys.map((k) => k.trim()).filter((k) => k.length > 0);
  for (const k of lines) {
    if (/[\r\n]/.test(k) || !/^(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+ [A-Za-z0-9+/=]+( .*)?$/.test(k)) {
      throw new Error(`not an OpenSSH public key: ${JSON.stringify(k.slice(0, 40))}...`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
