// verify's Docker libraries: optional peer dependencies of the package, so that installing the
// generator installs (and builds) nothing native. verify asks for them when they are missing, and
// the generated Makefile's npx fallback fetches them. A unit test holds package.json to this list.
export const VERIFY_PEERS: readonly { name: string; range: string }[] = [
  { name: 'dockerode', range: '^5.0.1' },
  { name: 'testcontainers', range: '^12.2.0' },
];
