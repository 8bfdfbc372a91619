// Reading Python source through a real parser (Lezer's Python grammar): top-level assignments,
// star imports, DJANGO_SETTINGS_MODULE defaults, environment reads and Celery apps. Comments,
// docstrings and strings are nodes of their own, so nothing in them ever counts as code.
// Detection never runs the user's code; the generator imports the settings separately
// (existing-mode.ts) to prove them.
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';

export interface Assignment {
  /** The assigned name or subscript target as written, e.g. STATIC_ROOT or DATABASES["default"]. */
  target: string;
  /** The base name of the target: DATABASES for DATABASES["default"]. */
  name: string;
  /** The right-hand side as written (comments inside brackets included). */
  expression: string;
}

interface Parsed {
  source: string;
  top: SyntaxNode;
}

const parse = (source: string): Parsed => ({ source, top: parser.parse(source).topNode });
const textOf = ({ source }: Parsed, node: SyntaxNode) => source.slice(node.from, node.to);

function* descendants(node: SyntaxNode): Generator<SyntaxNode> {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    yield child;
    yield* descendants(child);
  }
}

const childrenOf = (node: SyntaxNode): SyntaxNode[] => {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  return children;
};

/** The targets and the value of an assignment statement (`A = B = value`, `A: int = value`, `A += value`). */
function assignmentParts(statement: SyntaxNode): { targets: SyntaxNode[]; value: SyntaxNode } | undefined {
  const children = childrenOf(statement).filter((child) => child.name !== 'TypeDef');
  const operators = children.flatMap((child, index) => (child.name === 'AssignOp' || child.name === 'UpdateOp' ? [index] : []));
  if (operators.length === 0) return undefined;
  const value = children[operators.at(-1)! + 1];
  if (!value) return undefined;
  return {
    targets: children.filter((child, index) => index < operators.at(-1)! && !['AssignOp', 'UpdateOp', ','].includes(child.name)),
    value,
  };
}

/** The variable a target assigns to: A for A, A["x"] and A["x"]["y"]; undefined for attributes (a.b). */
function baseName(parsed: Parsed, target: SyntaxNode): string | undefined {
  if (target.name === 'VariableName') return textOf(parsed, target);
  if (target.name !== 'MemberExpression' || target.getChild('[') === null) return undefined;
  return target.firstChild ? baseName(parsed, target.firstChild) : undefined;
}

/**
 * Top-level assignments to UPPER_CASE names, in order. Django only reads upper-case module
 * attributes as settings, so nothing else matters here.
 */
export function topLevelAssignments(source: string): Assignment[] {
  const parsed = parse(source);
  return childrenOf(parsed.top)
    .filter((statement) => statement.name === 'AssignStatement' || statement.name === 'UpdateStatement')
    .flatMap((statement) => {
      const parts = assignmentParts(statement);
      if (!parts) return [];
      return parts.targets.flatMap((target) => {
        const name = baseName(parsed, target);
        return name && /^[A-Z][A-Z0-9_]*$/.test(name)
          ? [{ target: textOf(parsed, target), name, expression: textOf(parsed, parts.value) }]
          : [];
      });
    });
}

/** A Python literal as a value: strings, numbers, booleans, None, lists, tuples, dicts; undefined for anything computed. */
export type PythonValue = string | number | boolean | null | PythonValue[] | { [key: string]: PythonValue };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '' };

/** The value of one String node (prefixes r, u; no bytes, no f-strings). */
function stringValue(raw: string): string | undefined {
  const match = /^([rRuU]?)('''|"""|'|")([\s\S]*)\2$/.exec(raw);
  if (!match) return undefined;
  const body = match[3]!;
  return match[1]!.toLowerCase() === 'r' ? body : body.replace(/\\([\s\S])/g, (escape, char: string) => ESCAPES[char] ?? escape);
}

function literalOf(parsed: Parsed, node: SyntaxNode): PythonValue | undefined {
  switch (node.name) {
    case 'String':
      return stringValue(textOf(parsed, node));
    case 'ContinuedString': {
      const parts = childrenOf(node).map((part) => literalOf(parsed, part));
      return parts.every((part): part is string => typeof part === 'string') ? parts.join('') : undefined;
    }
    case 'Number':
      return Number(textOf(parsed, node).replaceAll('_', ''));
    case 'Boolean':
      return textOf(parsed, node) === 'True';
    case 'None':
      return null;
    case 'ParenthesizedExpression':
      return node.firstChild?.nextSibling ? literalOf(parsed, node.firstChild.nextSibling) : undefined;
    case 'ArrayExpression':
    case 'TupleExpression': {
      const items = childrenOf(node).filter((child) => !['[', ']', '(', ')', ','].includes(child.name));
      const values = items.map((item) => literalOf(parsed, item));
      return values.every((value) => value !== undefined) ? (values as PythonValue[]) : undefined;
    }
    case 'DictionaryExpression': {
      // Keys and values alternate around ":"; a "**spread" or a computed key makes it not a literal.
      const result: Record<string, PythonValue> = {};
      const items = childrenOf(node).filter((child) => !['{', '}', ','].includes(child.name));
      for (let index = 0; index < items.length; index += 3) {
        const key = literalOf(parsed, items[index]!);
        const value = items[index + 2] ? literalOf(parsed, items[index + 2]!) : undefined;
        if (items[index + 1]?.name !== ':' || typeof key !== 'string' || value === undefined) return undefined;
        result[key] = value;
      }
      return result;
    }
    default:
      return undefined;
  }
}

/** The expression's value when it is a literal (nested dicts and lists included), else undefined. */
function literalValue(expression: string): PythonValue | undefined {
  const parsed = parse(expression);
  const statement = parsed.top.firstChild;
  if (statement?.name !== 'ExpressionStatement' || statement.nextSibling) return undefined;
  return statement.firstChild ? literalOf(parsed, statement.firstChild) : undefined;
}

/** The value of an expression that is one plain string literal, else undefined. */
export function stringLiteral(expression: string): string | undefined {
  const value = literalValue(expression);
  return typeof value === 'string' ? value : undefined;
}

/** Every string literal of an expression, in order, at any depth (comments excluded). */
export function stringsIn(expression: string): string[] {
  const parsed = parse(expression);
  return [...descendants(parsed.top)].flatMap((node) => {
    const value = node.name === 'String' && node.parent?.name !== 'ContinuedString' ? stringValue(textOf(parsed, node)) : undefined;
    return value === undefined ? [] : [value];
  });
}

/** A call's callee as dotted text ("os.environ.get"), and its positional and keyword arguments. */
interface Call {
  callee: string;
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
}

function callOf(parsed: Parsed, node: SyntaxNode): Call | undefined {
  if (node.name !== 'CallExpression') return undefined;
  const callee = node.firstChild;
  const args = node.getChild('ArgList');
  if (!callee || !args) return undefined;
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, SyntaxNode>();
  const items = childrenOf(args).filter((child) => !['(', ')', ','].includes(child.name));
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index]!;
    if (item.name === 'VariableName' && items[index + 1]?.name === 'AssignOp') {
      keywords.set(textOf(parsed, item), items[index + 2]!);
      index += 2;
    } else if (item.name !== '*' && item.name !== '**') positional.push(item);
  }
  return { callee: textOf(parsed, callee).replace(/\s+/g, ''), positional, keywords };
}

/** The module a `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...")` (or assignment) names. */
export function settingsModuleDefault(source: string): string | undefined {
  const parsed = parse(source);
  for (const node of descendants(parsed.top)) {
    const call = callOf(parsed, node);
    if (call && /^(os\.)?environ\.setdefault$/.test(call.callee) && call.positional.length === 2) {
      const [name, value] = call.positional.map((argument) => literalOf(parsed, argument));
      if (name === 'DJANGO_SETTINGS_MODULE' && typeof value === 'string') return value;
    }
    if (node.name === 'AssignStatement') {
      const parts = assignmentParts(node);
      const target = parts?.targets[0];
      const subscript = target?.name === 'MemberExpression' ? target.getChild('String') : null;
      if (
        parts &&
        target &&
        subscript &&
        /^(os\.)?environ$/.test(textOf(parsed, target.firstChild!)) &&
        literalOf(parsed, subscript) === 'DJANGO_SETTINGS_MODULE'
      ) {
        const value = literalOf(parsed, parts.value);
        if (typeof value === 'string') return value;
      }
    }
  }
  return undefined;
}

/** Modules star-imported at the top level (`from .base import *`), resolved against the importing module. */
export function starImports(source: string, importingModule: string, isPackage: boolean): string[] {
  const parsed = parse(source);
  return childrenOf(parsed.top)
    .filter((statement) => statement.name === 'ImportStatement' && statement.getChild('from') && statement.getChild('*'))
    .map((statement) => {
      const head = textOf(parsed, statement)
        .replace(/^from\s+/, '')
        .replace(/\s+import[\s\S]*$/, '');
      const dots = /^\.*/.exec(head)![0].length;
      const name = head.slice(dots).replace(/\s+/g, '');
      if (dots === 0) return name;
      // One dot is the importing module's package (the module itself when it is a package's __init__).
      const packageParts = importingModule.split('.').slice(0, isPackage ? undefined : -1);
      const base = packageParts.slice(0, packageParts.length - (dots - 1));
      return [...base, ...(name ? [name] : [])].join('.');
    });
}

export interface EnvironmentRead {
  variable: string;
  /** Read unconditionally at import without a default: start-up fails without it. */
  required: boolean;
  /** Read only under a condition (if/try/a function/a conditional expression): optional for the stack. */
  conditional: boolean;
  /** How it is read: os.environ, django-environ, dj-database-url, python-decouple. */
  via: string;
}

/** Statements and expressions whose contents may not run at import. */
const CONDITIONAL_PARENTS = new Set([
  'IfStatement',
  'TryStatement',
  'WhileStatement',
  'ForStatement',
  'FunctionDefinition',
  'LambdaExpression',
  'ConditionalExpression',
]);

function isConditional(node: SyntaxNode): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (!CONDITIONAL_PARENTS.has(parent.name)) continue;
    // The test of an if runs unconditionally; only its bodies are conditional.
    if (parent.name === 'IfStatement' && node.from < (parent.getChild('Body')?.from ?? 0)) continue;
    return true;
  }
  return false;
}

/** django-environ's URL readers and the variable each reads when none is named. */
const ENVIRON_DEFAULT_VARIABLES: Record<string, string> = {
  db: 'DATABASE_URL',
  db_url: 'DATABASE_URL',
  cache: 'CACHE_URL',
  cache_url: 'CACHE_URL',
  email: 'EMAIL_URL',
  email_url: 'EMAIL_URL',
  search_url: 'SEARCH_URL',
};
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Environment variables a settings file reads, with whether a default is given and whether the read is conditional. */
export function environmentReads(source: string): EnvironmentRead[] {
  const parsed = parse(source);
  const reads: EnvironmentRead[] = [];
  const nodes = [...descendants(parsed.top)];
  // environ.Env(DEBUG=(bool, False)): django-environ's schema gives those variables a default.
  const schemaDefaults = new Set(
    nodes.flatMap((node) => {
      const call = callOf(parsed, node);
      return call && /(^|\.)Env$/.test(call.callee) ? [...call.keywords.keys()] : [];
    }),
  );
  const add = (node: SyntaxNode, variable: unknown, hasDefault: boolean, via: string) => {
    if (typeof variable !== 'string' || !VARIABLE.test(variable)) return;
    const conditional = isConditional(node);
    reads.push({ variable, required: !hasDefault && !conditional, conditional, via });
  };
  for (const node of nodes) {
    if (node.name === 'MemberExpression' && node.getChild('[') && /^(os\.)?environ$/.test(textOf(parsed, node.firstChild!))) {
      const key = node.getChild('String');
      // A subscript assigned to (os.environ["X"] = ...) sets, it does not read.
      const assigned = node.parent?.name === 'AssignStatement' && node.parent.firstChild === node;
      if (key && !assigned) add(node, literalOf(parsed, key), false, 'os.environ');
      continue;
    }
    const call = callOf(parsed, node);
    if (!call) continue;
    const first = call.positional[0] && literalOf(parsed, call.positional[0]);
    const withDefault = call.keywords.has('default') || call.positional.length > 1;
    if (/^((os\.)?environ\.get|(os\.)?getenv)$/.test(call.callee)) add(node, first, true, 'os.environ');
    else if (call.callee === 'env') add(node, first, withDefault || schemaDefaults.has(String(first)), 'django-environ');
    else if (/^env\.\w+$/.test(call.callee)) {
      const method = call.callee.slice('env.'.length);
      const variable = first ?? (call.positional.length === 0 ? ENVIRON_DEFAULT_VARIABLES[method] : undefined);
      add(node, variable, withDefault || schemaDefaults.has(String(variable)), 'django-environ');
    } else if (call.callee === 'config') add(node, first, withDefault, 'python-decouple');
    else if (call.callee === 'dj_database_url.config') {
      const named = call.keywords.get('env');
      add(node, named ? literalOf(parsed, named) : 'DATABASE_URL', call.keywords.has('default'), 'dj-database-url');
    }
  }
  return reads;
}

export interface CeleryInstance {
  /** The module-level variable holding the app. */
  variable: string;
  /** config_from_object's namespace (CELERY for the usual Django setup), if any. */
  namespace?: string;
}

/** Module-level `x = Celery(...)` (or celery.Celery) instances of a module. */
export function celeryInstances(source: string): CeleryInstance[] {
  if (!source.includes('Celery')) return [];
  const parsed = parse(source);
  const calls = [...descendants(parsed.top)].flatMap((node) => callOf(parsed, node) ?? []);
  return childrenOf(parsed.top)
    .filter((statement) => statement.name === 'AssignStatement')
    .flatMap((statement) => {
      const parts = assignmentParts(statement);
      const call = parts && callOf(parsed, parts.value);
      const target = parts?.targets[0];
      if (!call || !/^(celery\.)?Celery$/.test(call.callee) || target?.name !== 'VariableName') return [];
      const variable = textOf(parsed, target);
      const configure = calls.find((candidate) => candidate.callee === `${variable}.config_from_object`);
      const namespace = configure?.keywords.get('namespace');
      const value = namespace && literalOf(parsed, namespace);
      return [{ variable, ...(typeof value === 'string' ? { namespace: value } : {}) }];
    });
}

/** The string at a key path of a dict display (`{"staticfiles": {"BACKEND": "..."}}`), other entries may be computed. */
export function dictString(expression: string, keys: readonly string[]): string | undefined {
  const parsed = parse(expression);
  let node: SyntaxNode | null | undefined = parsed.top.firstChild?.firstChild;
  for (const key of keys) {
    if (node?.name !== 'DictionaryExpression') return undefined;
    const colon = childrenOf(node).find((child) => child.name === ':' && child.prevSibling && literalOf(parsed, child.prevSibling) === key);
    node = colon?.nextSibling;
  }
  const value = node ? literalOf(parsed, node) : undefined;
  return typeof value === 'string' ? value : undefined;
}
