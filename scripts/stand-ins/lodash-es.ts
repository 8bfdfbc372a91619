// The six lodash functions yeoman-environment imports, without the lodash-es index (640 modules).
export { default as compact } from 'lodash-es/compact.js';
export { default as defaults } from 'lodash-es/defaults.js';
export { default as escapeRegExp } from 'lodash-es/escapeRegExp.js';
export { default as findLast } from 'lodash-es/findLast.js';
export { default as pick } from 'lodash-es/pick.js';
export { default as uniq } from 'lodash-es/uniq.js';
