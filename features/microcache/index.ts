// Microcaching: nginx keeps anonymous GET/HEAD answers of Django for a few seconds, so a burst of
// visitors to the same page costs Django one render per period. Never for a request carrying a
// session or CSRF cookie or an Authorization header, never for a response that sets a cookie or
// says private/no-store (nginx honours Cache-Control and Set-Cookie from upstream).
import { checkInteger, featureSwitch, spec } from '../../generators/lib/answer-spec.ts';
import { defineFeature } from '../../generators/lib/feature.ts';

declare module '../../generators/lib/answer-spec.ts' {
  interface Answers {
    microcache: boolean;
    microcacheSeconds: number;
  }
}

export interface MicrocacheFacts {
  seconds: number;
  /** Django's cookie names; a request carrying one of them is never answered from the cache. */
  sessionCookie: string;
  csrfCookie: string;
}

declare module '../../generators/lib/feature.ts' {
  interface FeatureFacts {
    microcache: MicrocacheFacts;
  }
}

export default defineFeature<MicrocacheFacts>({
  name: 'microcache',
  answers: [
    featureSwitch(
      'microcache',
      'Microcache anonymous pages in nginx for a few seconds?',
      'nginx caches anonymous GET/HEAD answers briefly (never with a session, CSRF cookie or Authorization)',
      true,
    ),
    spec({
      name: 'microcacheSeconds',
      kind: 'number',
      message: 'Seconds an anonymous page is kept in the microcache',
      description: 'How long nginx keeps an anonymous page (1-10 s)',
      advanced: true,
      default: () => 5,
      when: (answers) => answers.microcache === true,
      check: (value) => checkInteger(value, 1, 10, 'seconds'),
    }),
  ],
  enabled: (answers) => answers.microcache,
  slots: ['nginx.http', 'nginx.proxy', 'readme', 'readme.files', 'settings.production', 'urls', 'urls.imports'],
  facts: (answers) => ({ seconds: answers.microcacheSeconds, sessionCookie: 'sessionid', csrfCookie: 'csrftoken' }),
  files: [{ templates: ['_pkg_/pages.py'] }],
  probes: async () => [(await import('./probe.ts')).microcacheProbe],
});
