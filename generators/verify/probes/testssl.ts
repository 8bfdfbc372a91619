// An independent TLS audit with testssl.sh when it is installed (Debian/Ubuntu: apt install
// testssl.sh, whose command is "testssl"): protocols, cipher categories, known vulnerabilities.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProbeSkipped, expectThat, type Probe } from './probe.ts';

const BAD = new Set(['MEDIUM', 'HIGH', 'CRITICAL']);

function findOnPath(names: string[]): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    for (const name of names) if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

interface Finding {
  id: string;
  severity: string;
  finding: string;
}

export const testsslProbe: Probe = {
  name: 'testssl',
  async run({ stack, domains }) {
    const binary = findOnPath(['testssl.sh', 'testssl']);
    if (!binary) throw new ProbeSkipped('testssl.sh is not installed (apt install testssl.sh): TLS audit not run');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'verify-testssl-'));
    const jsonFile = path.join(dir, 'findings.json');
    try {
      // --ip: test the published port on this machine under the site's name (SNI), without
      // any DNS lookup; -p protocols, -s cipher categories, -U vulnerabilities.
      const args = [
        '--quiet',
        '--color',
        '0',
        '--warnings',
        'off',
        '--ip',
        '127.0.0.1',
        '--nodns',
        'none',
        '--connect-timeout',
        '10',
        '--openssl-timeout',
        '10',
        '--jsonfile',
        jsonFile,
        '-p',
        '-s',
        '-U',
        `${domains[0]}:${stack.ports.https}`,
      ];
      const exit = await new Promise<number>((resolve) => {
        const child = spawn(binary, args, { stdio: 'ignore' });
        const timer = setTimeout(() => child.kill('SIGTERM'), 8 * 60_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve(code ?? -1);
        });
        child.on('error', () => {
          clearTimeout(timer);
          resolve(-1);
        });
      });
      expectThat(existsSync(jsonFile), `testssl exited ${exit} without writing findings`);
      const findings = JSON.parse(readFileSync(jsonFile, 'utf8')) as Finding[];
      // A scan that never reached the server has no findings to fail on: that is no pass.
      const problems = findings.filter((finding) => finding.id === 'scanProblem' || finding.severity.toUpperCase() === 'FATAL');
      expectThat(
        problems.length === 0,
        `testssl could not complete the scan (exit ${exit}): ${problems
          .map((finding) => finding.finding)
          .join('; ')
          .slice(0, 400)}`,
      );
      const modern = findings.filter(
        (finding) => /^TLS1_[23]$/.test(finding.id) && /offered/i.test(finding.finding) && !/not offered/i.test(finding.finding),
      );
      expectThat(
        modern.length > 0,
        `testssl saw neither TLS 1.2 nor 1.3 offered (exit ${exit}, ${findings.length} findings): did it reach the server?`,
      );
      const bad = findings.filter((finding) => BAD.has(finding.severity.toUpperCase()));
      expectThat(
        bad.length === 0,
        `testssl: ${bad
          .map((finding) => `${finding.severity} ${finding.id}: ${finding.finding}`)
          .join('; ')
          .slice(0, 700)}`,
      );
      const low = findings.filter((finding) => finding.severity.toUpperCase() === 'LOW');
      return `no MEDIUM or worse findings in protocols, ciphers, vulnerabilities${low.length ? ` (LOW: ${low.map((finding) => finding.id).join(', ')})` : ''}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
