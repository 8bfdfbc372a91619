// yeoman-environment installs missing generators from npm with fly-import; this runner only runs
// the generators of this checkout, so nothing is ever installed: any attempt is an error.
const refuse = (): never => {
  throw new Error('installing generators on the fly is not supported by scripts/django-prod.ts');
};

export class FlyRepository {
  constructor(_options?: unknown) {}
  install = refuse;
  import = refuse;
}

export const flyImport = refuse;
