// Workarounds for gaps of the docker kit's stand-in images, applied to a generated repository
// in tests only; each is a no-op once the kit has what PyPI users get.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PIP_INSTALL = 'RUN pip install --no-cache-dir -r /tmp/requirements.txt\n';

/**
 * The kit's wheelhouse builds django-storages from Debian's python3-django-storages, which ships
 * without its backends (Debian packages the S3 one as python3-django-storages-s3), so
 * `storages.backends.s3` is missing where PyPI's django-storages has it. Adds the Debian module to
 * the builder stage's virtualenv when (and only when) the import fails.
 */
export function addMissingStoragesS3Backend(repoDir: string): void {
  const dockerfile = path.join(repoDir, 'Dockerfile');
  const text = readFileSync(dockerfile, 'utf8');
  if (!text.includes(PIP_INSTALL)) throw new Error(`${dockerfile}: no "${PIP_INSTALL.trim()}" line to patch after`);
  // apt-get download + dpkg -x: only the one small package, none of its Debian dependencies.
  const patch =
    'RUN python -c "import storages.backends.s3" 2>/dev/null || { cd /tmp && apt-get update -qq' +
    ' && apt-get download python3-django-storages-s3 && dpkg -x python3-django-storages-s3_*.deb /tmp/storages-s3' +
    ' && cp /tmp/storages-s3/usr/lib/python3/dist-packages/storages/backends/s3*.py "$(python -c \'import os, storages.backends as b; print(os.path.dirname(b.__file__))\')/"' +
    ' && rm -rf /tmp/storages-s3 /tmp/*.deb /var/lib/apt/lists/*; }\n';
  writeFileSync(
    dockerfile,
    text.replace(
      PIP_INSTALL,
      `${PIP_INSTALL}# test only (test/helpers/kit-gaps.ts): the kit's django-storages lacks its S3 backend\n${patch}`,
    ),
  );
}
