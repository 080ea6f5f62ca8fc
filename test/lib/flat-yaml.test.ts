// The flat reader must agree with the YAML library on every file it accepts, and hand the rest
// to the library.
import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {parseFlatYaml} from '../../source/lib/flat-yaml.js';

const accepted = [
  'active_profile: default\nactive_stack: gpu\n',
  'active_stack: gpu-2 # the big one\nprevious_stack: default\n',
  'active_stack: \'my stack\'\nactive_profile: "team"\n',
  '---\nactive_stack: gpu\ntokens:\n  github.com: work\n  127.0.0.1: personal\n',
  'active_stack: ~\nactive_profile: null\n',
  'tokens:\n',
  '# only a comment\n',
  'active_stack: gpu\r\nprevious_stack: cpu\r\n',
];

const refused = [
  'active_stack: 1e3\n',
  'active_stack: 007\n',
  'active_stack: yes\n',
  'active_stack: True\n',
  'active_stack: &a gpu\nprevious_stack: *a\n',
  'active_stack: !!str gpu\n',
  'tokens: {github.com: work}\n',
  'active_stack: |\n  gpu\n',
  'active_stack: "a\\tb"\n',
  'tokens:\n    github.com: work\n',
  'active_stack: gpu\nactive_stack: cpu\n',
  'active_stack: gpu\n---\nactive_stack: cpu\n',
  '- gpu\n',
  'active_stack: gpu: cpu\n',
];

describe('parseFlatYaml', () => {
  it.each(accepted)('reads %j as the YAML library does', (text) => {
    expect(parseFlatYaml(text)).toEqual(parse(text) ?? {});
  });

  it.each(refused)('hands %j to the YAML library', (text) => {
    expect(parseFlatYaml(text)).toBeUndefined();
  });
});
