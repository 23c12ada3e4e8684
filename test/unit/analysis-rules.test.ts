import { describe, expect, it } from 'vitest';
import { humanBytes, parseByteSize, percent } from '../../src/analysis/bytes.js';
import { instructionOf, shortStep, stepsForLayers } from '../../src/analysis/history.js';
import { defaultRules, evaluateRules, parseCiRules, rulesPass, type Figures } from '../../src/analysis/rules.js';

const figures = (overrides: Partial<Figures>): Figures => ({ efficiency: 1, wastedBytes: 0, userWastedPercent: 0, imageSize: 1000, ...overrides });
const statuses = (text: string, measured: Partial<Figures>) =>
  Object.fromEntries(evaluateRules(parseCiRules(text, '.dive-ci.yml'), figures(measured)).map((result) => [result.key, result.status]));

describe('sizes as dive reads them', () => {
  it('parses go-humanize sizes', () => {
    expect(parseByteSize('20MB')).toBe(20_000_000);
    expect(parseByteSize('20 mb')).toBe(20_000_000);
    expect(parseByteSize('20M')).toBe(20_000_000);
    expect(parseByteSize('20MiB')).toBe(20 * 1024 * 1024);
    expect(parseByteSize('1.5GB')).toBe(1_500_000_000);
    expect(parseByteSize('1,000')).toBe(1000);
    expect(parseByteSize('512')).toBe(512);
    expect(parseByteSize(2048)).toBe(2048);
    for (const bad of ['', 'MB', 'ten', '20 XB', '20ib', '-5']) expect(parseByteSize(bad)).toBeUndefined();
  });
  it('prints sizes and ratios for people', () => {
    expect(humanBytes(23_456_789)).toBe('23.5 MB');
    expect(humanBytes(999)).toBe('999 B');
    expect(humanBytes(1_982_256)).toBe('1.98 MB');
    expect(percent(0.98765)).toBe('98.7 %');
    // Rounded down: a figure next to a threshold never reads as reaching it.
    expect(percent(0.9496)).toBe('94.9 %');
    expect(percent(0.95)).toBe('95 %');
    expect(percent(0.99988)).toBe('99.988 %');
    expect(percent(1)).toBe('100 %');
    expect(percent(Infinity)).toBe('∞');
  });
});

describe('.dive-ci.yml rules', () => {
  it("applies dive's defaults when there is no file: efficiency 0.9, user waste 0.1, wasted bytes off", () => {
    const rules = defaultRules();
    expect(rules.settings.map((setting) => [setting.key, setting.value])).toEqual([
      ['lowestEfficiency', '0.9'], ['highestWastedBytes', 'disabled'], ['highestUserWastedPercent', '0.1'],
    ]);
    expect(rulesPass(evaluateRules(rules, figures({ efficiency: 0.9, userWastedPercent: 0.1, wastedBytes: 1e12 })))).toBe(true);
  });

  it('fails only when strictly past a threshold, as dive does', () => {
    const text = 'rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: 0.2\n';
    expect(statuses(text, { efficiency: 0.95, wastedBytes: 20_000_000, userWastedPercent: 0.2 })).toEqual({
      lowestEfficiency: 'pass', highestWastedBytes: 'pass', highestUserWastedPercent: 'pass',
    });
    expect(statuses(text, { efficiency: 0.9499, wastedBytes: 20_000_001, userWastedPercent: 0.2001 })).toEqual({
      lowestEfficiency: 'fail', highestWastedBytes: 'fail', highestUserWastedPercent: 'fail',
    });
  });

  it('keeps the default of a key left out, and turns a rule off with "disabled"', () => {
    const rules = parseCiRules('rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: 1KB\n', 'ci.yml');
    expect(rules.form).toBe('dive');
    expect(rules.settings.map((setting) => setting.value)).toEqual(['disabled', '1KB', '0.1']);
    const results = evaluateRules(rules, figures({ efficiency: 0.1 }));
    expect(results[0]!.status).toBe('disabled');
    expect(rulesPass(results)).toBe(true);
  });

  it('notes unknown keys, which dive ignores too', () => {
    const rules = parseCiRules('rules:\n  lowestEfficency: 0.99\n', 'ci.yml');
    expect(rules.notes[0]!.en).toContain('unknown rule rules.lowestEfficency ignored');
    expect(rules.settings[0]!.value).toBe('0.9');
  });

  it("reads the course's list form as an alias, with a note saying dive does not", () => {
    const course = 'rules:\n  - name: efficiency\n    fatal: false\n    value: 0.95\n  - name: size\n    fatal: true\n    value: 100MB\n';
    const rules = parseCiRules(course, '.dive-ci.yml');
    expect(rules.form).toBe('course-list');
    expect(rules.notes[0]!.en).toContain('dive does not read');
    expect(rules.settings).toEqual([
      { key: 'lowestEfficiency', value: '0.95', threshold: 0.95, fatal: false },
      { key: 'highestImageSize', value: '100MB', threshold: 100_000_000, fatal: true },
    ]);
    // fatal: false turns a failure into a warning; the size rule is fatal.
    expect(statuses(course, { efficiency: 0.5, imageSize: 100_000_000 })).toEqual({ lowestEfficiency: 'warn', highestImageSize: 'pass' });
    expect(rulesPass(evaluateRules(rules, figures({ efficiency: 0.5 })))).toBe(true);
    expect(statuses(course, { imageSize: 100_000_001 }).highestImageSize).toBe('fail');
  });

  it('rejects values and names it cannot mean, naming the key', () => {
    expect(() => parseCiRules('rules:\n  lowestEfficiency: high\n', 'ci.yml')).toThrow('ci.yml: rules.lowestEfficiency: "high" is not a number such as 0.9');
    expect(() => parseCiRules('rules:\n  highestWastedBytes: lots\n', 'ci.yml')).toThrow('is not a size such as 20MB');
    expect(() => parseCiRules('rules:\n  - name: speed\n    value: 1\n', 'ci.yml')).toThrow('unknown rule name "speed"');
    expect(() => parseCiRules('rules: [unclosed', 'ci.yml')).toThrow('not valid YAML');
    expect(() => parseCiRules('rules: 3', 'ci.yml')).toThrow('"rules" must be a mapping');
    expect(() => parseCiRules('rules:\n  highestUserWastedPercent: 10\n', 'ci.yml')).toThrow('"10" is outside 0-1');
  });

  it('reads every spelling dive reads: keys in any case (viper ignores case), flow style, quoted or bare ratios', () => {
    const spellings = [
      'rules:\n  lowestEfficiency: 0.95\n',
      'Rules:\n  LowestEfficiency: 0.95\n',
      'RULES:\n  lowestefficiency: 0.95\n',
      'rules: {lowestEfficiency: 0.95}\n',
      'rules:\n  lowestEfficiency: "0.95"\n',
      'rules:\n  lowestEfficiency: .95\n',
      '---\nrules:\r\n  lowestEfficiency: 0.95\r\n',
    ];
    for (const text of spellings) {
      const rules = parseCiRules(text, '.dive-ci.yml');
      expect({ text, form: rules.form, threshold: rules.settings[0]!.threshold, notes: rules.notes }).toEqual({ text, form: 'dive', threshold: 0.95, notes: [] });
    }
    // What dive cannot read says so, naming the expected form.
    expect(() => parseCiRules('rules:\n  lowestEfficiency: 95%\n', 'ci.yml')).toThrow('"95%" is not a number such as 0.9');
    expect(() => parseCiRules('rules:\n  lowestEfficiency: 95\n', 'ci.yml')).toThrow('outside 0-1 (a ratio: 0.1 means 10 %)');
    expect(() => parseCiRules('rules:\n  LowestEfficiency: high\n', 'ci.yml')).toThrow('ci.yml: rules.LowestEfficiency: "high"');
  });

  it('an empty file means the defaults', () => {
    const rules = parseCiRules('', 'ci.yml');
    expect(rules.settings).toEqual(defaultRules().settings);
    expect(rules.notes).toHaveLength(1);
  });
});

describe('history', () => {
  it('pairs layers with the history entries that made one', () => {
    const history = [
      { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
      { created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
      { created_by: '/bin/sh -c apk add nginx' },
      { created_by: '/bin/sh -c #(nop)  EXPOSE 80', empty_layer: true },
    ];
    expect(stepsForLayers(history, 3).map((step) => step?.createdBy)).toEqual(['/bin/sh -c #(nop) ADD file:abc in / ', '/bin/sh -c apk add nginx', undefined]);
    expect(stepsForLayers(undefined, 1)).toEqual([undefined]);
  });

  it('tells the Dockerfile keyword of a step, whatever the builder', () => {
    expect(instructionOf('/bin/sh -c #(nop) COPY file:0123 in /etc/ ')).toBe('COPY');
    expect(instructionOf('/bin/sh -c #(nop)  ENV NGINX_VERSION=1.25.4')).toBe('ENV');
    expect(instructionOf('/bin/sh -c echo nginx >>/etc/passwd')).toBe('RUN');
    expect(instructionOf('|2 VERSION=1 ARCH=x /bin/sh -c make')).toBe('RUN');
    expect(instructionOf('RUN /bin/sh -c set -x && apk add nginx # buildkit')).toBe('RUN');
    expect(instructionOf('COPY docker-entrypoint.sh / # buildkit')).toBe('COPY');
    expect(instructionOf('ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit')).toBe('ADD');
    expect(instructionOf('')).toBe('IMPORT');
    expect(instructionOf('nginx -g daemon off;')).toBeUndefined();
  });

  it('shortens a step for a table', () => {
    expect(shortStep('/bin/sh -c #(nop)  CMD ["nginx"]')).toBe('CMD ["nginx"]');
    expect(shortStep('/bin/sh -c apk add   nginx')).toBe('RUN apk add nginx');
    // BuildKit writes the instruction with the shell: shown as the Dockerfile line, build arguments left out.
    expect(shortStep('RUN /bin/sh -c make # buildkit')).toBe('RUN make');
    expect(shortStep('RUN |1 VERSION=1.2 /bin/sh -c make install # buildkit')).toBe('RUN make install');
    expect(shortStep('RUN /bin/sh -c make all install # buildkit', 10)).toBe('RUN make …');
  });
});
