import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, test} from 'vitest';
import {cliVocabulary} from '../../../source/commands/context.js';
import {describeError, UserError} from '../../../source/lib/errors.js';
import {screenVocabulary} from '../../../source/screens/remedies.js';
import {ModuleSchema} from '../../../source/models/module.js';
import {
  AnnotationError,
  declaresModule,
  extractModuleSchema,
  readModuleAnnotations,
} from '../../../source/services/publish/annotations.js';

const fixtures = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/projects',
);

/** A module header plus the given decorators on one function. */
function module(
  parameters: string,
  header = '@data_processor(name="Demo", description="d")',
): string {
  return `${header}\n${parameters}\ndef main():\n    pass\n`;
}

function parameters(source: string) {
  return extractModuleSchema(source, 'demo.py').parameters;
}

/** The formatted problems of a source that must fail. */
function problems(source: string, file = 'demo.py'): string[] {
  try {
    extractModuleSchema(source, file);
  } catch (error) {
    expect(error).toBeInstanceOf(AnnotationError);
    expect(error).toBeInstanceOf(UserError);
    return (error as AnnotationError).problems.map(
      (p) => `${file}:${p.line}:${p.column}: ${p.message}`,
    );
  }
  throw new Error('expected the annotations to be refused');
}

describe('extractModuleSchema: the module header', () => {
  test('reads name, description, kind, function and the remaining keywords as metadata', () => {
    const schema = extractModuleSchema(
      `import os

@data_processor(
    name="Resnet 2.0 Filter",
    author="MLReef",
    type="ALGORITHM",
    description="Transforms images with lots of magic",
    visibility="PUBLIC",
    input_type="IMAGE",
    output_type="IMAGE"
)
def myCustomOperationEntrypoint():
    pass
`,
      'src/op.py',
    );
    expect(schema).toEqual({
      name: 'Resnet 2.0 Filter',
      slug: 'resnet-2-0-filter',
      description: 'Transforms images with lots of magic',
      kind: 'data-processor',
      entryPoint: 'src/op.py',
      function: 'myCustomOperationEntrypoint',
      parameters: [],
      metadata: {
        author: 'MLReef',
        type: 'ALGORITHM',
        visibility: 'PUBLIC',
        input_type: 'IMAGE',
        output_type: 'IMAGE',
      },
    });
    expect(() => ModuleSchema.parse(schema)).not.toThrow();
  });

  test.each([
    ['@model(name="Sentiment BERT")', 'model', 'sentiment-bert'],
    ['@data_visualization(name="t-SNE plot")', 'data-visualization', 't-sne-plot'],
    ['@data_visualisation(name="Scatter  Plot!")', 'data-visualization', 'scatter-plot'],
    ['@mlreef.data_processor(name="Ünïcode Café")', 'data-processor', 'unicode-cafe'],
    ['@data_processor("Positional Name")', 'data-processor', 'positional-name'],
  ])('%s is a module of kind %s, slug %s', (header, kind, slug) => {
    const schema = extractModuleSchema(module('', header), 'demo.py');
    expect(schema.kind).toBe(kind);
    expect(schema.slug).toBe(slug);
  });

  test('camelCase inputType/outputType are stored in snake_case', () => {
    const schema = extractModuleSchema(
      module('', '@data_processor(name="x", inputType="IMAGE", outputType="TEXT")'),
      'demo.py',
    );
    expect(schema.metadata).toEqual({input_type: 'IMAGE', output_type: 'TEXT'});
  });

  test('a declared visibility is reported as unused (visibility comes from the repository)', () => {
    const {notes} = readModuleAnnotations(
      module('', '@data_processor(name="x", visibility="PUBLIC")'),
      'demo.py',
    );
    expect(notes).toEqual([expect.stringContaining("visibility is its code repository's")]);
    expect(readModuleAnnotations(module(''), 'demo.py').notes).toEqual([]);
  });

  test('async functions and functions nested in a block are fine', () => {
    const source = `if True:\n    @data_processor(name="n")\n    @parameter("a", "int")\n    async def run():\n        pass\n`;
    const schema = extractModuleSchema(source, 'demo.py');
    expect(schema.function).toBe('run');
    expect(schema.parameters.map((p) => p.name)).toEqual(['a']);
  });
});

describe('extractModuleSchema: @parameter', () => {
  test('positional, keyword and mixed arguments in any keyword order', () => {
    const source = module(`@parameter('images_path', "str", required=True, defaultValue='.')
@parameter('width', "int", True, 256)
@parameter('epochs', "int", defaultValue=5, required=True)
@parameter('channels', required=False, defaultValue=3, type="int")
@parameter(required=False, defaultValue='False', name='use_pretrained', type="str", description="use pretrained?")
@parameter(defaultValue=0.8, name='training_split', type='float', required=False, )
@parameter("note", "str", False, "hi", "the last positional is the description")`);
    expect(parameters(source)).toEqual([
      {name: 'images_path', type: 'str', required: true, defaultValue: '.', description: ''},
      {name: 'width', type: 'int', required: true, defaultValue: 256, description: ''},
      {name: 'epochs', type: 'int', required: true, defaultValue: 5, description: ''},
      {name: 'channels', type: 'int', required: false, defaultValue: 3, description: ''},
      {
        name: 'use_pretrained',
        type: 'str',
        required: false,
        defaultValue: 'False',
        description: 'use pretrained?',
      },
      {name: 'training_split', type: 'float', required: false, defaultValue: 0.8, description: ''},
      {
        name: 'note',
        type: 'str',
        required: false,
        defaultValue: 'hi',
        description: 'the last positional is the description',
      },
    ]);
  });

  test('decorators split over lines, with comments and commented-out decorators between them', () => {
    const source = `# @data_processor(name="an old name")
@data_processor(
    # the name shown everywhere
    name="Split",  # trailing comment
    description="""Spans
two lines""",
)
# @parameter('dropped', 'int', True, 1)
@parameter(
    'alpha',  # first
    # @parameter('inside', 'int')
    'float',
    False,
    .5,
)

# a blank line and a comment between decorators
@parameter(name='beta',
           type='int',
           defaultValue=-1)
def main():
    """@parameter('in_docstring', 'int') is not a decorator."""
    text = "@data_processor(name='in a string')"
`;
    const schema = extractModuleSchema(source, 'demo.py');
    expect(schema.name).toBe('Split');
    expect(schema.description).toBe('Spans\ntwo lines');
    expect(schema.parameters.map((p) => [p.name, p.defaultValue])).toEqual([
      ['alpha', 0.5],
      ['beta', -1],
    ]);
  });

  test.each([
    ['str', 'str'],
    ['String', 'str'],
    ['string', 'str'],
    ['STR', 'str'],
    ['int', 'int'],
    ['Integer', 'int'],
    ['integer', 'int'],
    ['float', 'float'],
    ['Float', 'float'],
    ['bool', 'bool'],
    ['Boolean', 'bool'],
    ['boolean', 'bool'],
    ['list', 'list'],
    ['List', 'list'],
    [' LIST ', 'list'],
  ])('type "%s" is %s', (spelled, type) => {
    expect(parameters(module(`@parameter("p", "${spelled}")`))[0]?.type).toBe(type);
  });

  test.each([
    ['str', 'str'],
    ['int', 'int'],
    ['float', 'float'],
    ['bool', 'bool'],
    ['list', 'list'],
  ])('the builtin name type=%s is accepted unquoted', (written, type) => {
    expect(parameters(module(`@parameter("p", type=${written})`))[0]?.type).toBe(type);
  });

  test.each([
    // [type, default as written, converted]
    ['list', '"[]"', []],
    ['list', '\'["a", 2, 1.5, True, None, [1]]\'', ['a', 2, 1.5, true, null, [1]]],
    ['list', "['x', 'y']", ['x', 'y']],
    ['list', '(1, 2)', [1, 2]],
    ['list', '[]', []],
    ['bool', "'False'", false],
    ['bool', '"true"', true],
    ['bool', 'True', true],
    ['bool', 'False', false],
    ['bool', '0', false],
    ['bool', '"1"', true],
    ['float', '.8', 0.8],
    ['float', '1e-3', 0.001],
    ['float', '-1', -1],
    ['float', '90', 90],
    ['float', '"0.25"', 0.25],
    ['float', "'.5'", 0.5],
    ['float', '1_000.5', 1000.5],
    ['int', '"256"', 256],
    ['int', '256', 256],
    ['int', '-1', -1],
    ['int', '+7', 7],
    ['int', '1_000', 1000],
    ['int', '0x10', 16],
    ['int', "' 42 '", 42],
    ['str', "'.'", '.'],
    ['str', '"""triple"""', 'triple'],
    ['str', "'''it''s'''", "it''s"],
    ['str', "'a\\tb\\n\\x41\\u00e9'", 'a\tb\nA\u00e9'],
    ['str', "r'C:\\data\\new'", 'C:\\data\\new'],
    ['str', '\'con\' "cat"', 'concat'],
    ['str', "f'no placeholder'", 'no placeholder'],
    ['str', '3', '3'],
    ['str', 'True', 'True'],
    ['str', '.5', '.5'],
    ['int', 'None', null],
  ])('type %s: defaultValue=%s becomes %j', (type, written, expected) => {
    const [parameter] = parameters(module(`@parameter("p", "${type}", False, ${written})`));
    expect(parameter?.defaultValue).toEqual(expected);
  });

  test('required left out means "required unless there is a default"', () => {
    expect(
      parameters(module(`@parameter("a", "int")\n@parameter("b", "int", defaultValue=1)`)),
    ).toEqual([
      {name: 'a', type: 'int', required: true, defaultValue: null, description: ''},
      {name: 'b', type: 'int', required: false, defaultValue: 1, description: ''},
    ]);
  });

  test('required=True with a default is kept as written', () => {
    const [parameter] = parameters(module(`@parameter("a", "int", True, 5)`));
    expect(parameter).toMatchObject({required: true, defaultValue: 5});
  });

  test('names may contain dashes (argparse flags, as MLReef scripts write them)', () => {
    expect(parameters(module(`@parameter("input-path", "str")`))[0]?.name).toBe('input-path');
  });
});

describe('extractModuleSchema: refusals, each at file:line:column', () => {
  test.each<[string, string, string[]]>([
    [
      'a default that is not an int',
      module('@parameter(name="epochs", type="int", defaultValue="ten")'),
      [
        'demo.py:2:52: @parameter "epochs": default "ten" is not an int. Write an integer, e.g. defaultValue=10.',
      ],
    ],
    [
      'a float default for an int',
      module('@parameter("epochs", "int", False, 2.5)'),
      [
        'demo.py:2:36: @parameter "epochs": default 2.5 is not an int. Write an integer, e.g. defaultValue=10.',
      ],
    ],
    [
      'a default that is not a float',
      module('@parameter("lr", "float", False, "fast")'),
      [
        'demo.py:2:34: @parameter "lr": default "fast" is not a float. Write a number, e.g. defaultValue=0.5.',
      ],
    ],
    [
      'a default that is not a bool',
      module('@parameter("flag", "bool", False, "maybe")'),
      [
        'demo.py:2:35: @parameter "flag": default "maybe" is not a bool. Write True or False, e.g. defaultValue=False.',
      ],
    ],
    [
      'a default that is not a list',
      module('@parameter("files", "list", False, "a,b")'),
      [
        'demo.py:2:36: @parameter "files": default "a,b" is not a list. Write a list, e.g. defaultValue=[] or defaultValue=["a", "b"].',
      ],
    ],
    [
      'an empty string for a list (MLReef accepted it)',
      module('@parameter(name="files", type="List", required=True, defaultValue="")'),
      [
        'demo.py:2:67: @parameter "files": default "" is not a list. Write a list, e.g. defaultValue=[] or defaultValue=["a", "b"].',
      ],
    ],
    [
      'a list default for a str',
      module('@parameter("s", "str", False, [1])'),
      [
        'demo.py:2:31: @parameter "s": default [1] is not a str. Write a string in quotes, e.g. defaultValue="text".',
      ],
    ],
    [
      'an unknown type',
      module('@parameter("p", "tensor")'),
      [
        'demo.py:2:17: @parameter "p": unknown type "tensor". Write one of str, int, float, bool or list.',
      ],
    ],
    [
      'dict',
      module('@parameter("p", "Dict")'),
      [
        'demo.py:2:17: @parameter "p": unknown type "Dict". Dictionaries are not a parameter type: write type="str" and parse the JSON in your script.',
      ],
    ],
    [
      'a missing type',
      module('@parameter(name="p")'),
      [
        'demo.py:2:1: @parameter "p" has no type. Add type="str" (one of str, int, float, bool or list).',
      ],
    ],
    [
      'a missing name',
      module('@parameter(type="int")'),
      ['demo.py:2:1: @parameter #1 has no name. Add name="epochs" (it becomes the --epochs flag).'],
    ],
    [
      'a name with leading dashes',
      module('@parameter(name="--cropfactor", type="float")'),
      [
        'demo.py:2:17: @parameter "--cropfactor": the name is not valid: it becomes the --flag of the entry point, so use letters, digits, _ and - (not first). Write name="cropfactor".',
      ],
    ],
    [
      'a name with a space',
      module('@parameter("image Files", "list")'),
      [
        'demo.py:2:12: @parameter "image Files": the name is not valid: it becomes the --flag of the entry point, so use letters, digits, _ and - (not first). Write name="image_Files".',
      ],
    ],
    [
      'a duplicate name',
      module('@parameter("epochs", "int")\n@parameter("epochs", "int", False, 5)'),
      ['demo.py:3:12: @parameter "epochs" is declared twice. Keep one, or rename one of them.'],
    ],
    [
      'names that are the same argparse flag',
      module('@parameter("input-path", "str")\n@parameter("input_path", "str")'),
      [
        'demo.py:3:12: @parameter "input_path" is the same flag as "input-path" (argparse reads - as _). Rename one of them.',
      ],
    ],
    [
      'a variable as the default',
      `EPOCHS = 10\n${module('@parameter("epochs", "int", False, EPOCHS)')}`,
      [
        'demo.py:3:36: @parameter "epochs": defaultValue EPOCHS is a variable, not a literal. berth reads annotations without running your code: write the value itself, e.g. defaultValue=10.',
      ],
    ],
    [
      'a computation as the default',
      module('@parameter("epochs", "int", False, 2 * 5)'),
      [
        'demo.py:2:36: @parameter "epochs": defaultValue 2 * 5 is not a literal. berth reads annotations without running your code: write the value itself, e.g. defaultValue=10.',
      ],
    ],
    [
      'an f-string with a placeholder',
      module('@parameter("p", "str", False, f"{HOME}/data")'),
      [
        'demo.py:2:31: @parameter "p": defaultValue f"{HOME}/data" is an f-string with a {placeholder}. berth reads annotations without running your code: write the value itself, e.g. defaultValue="text".',
      ],
    ],
    [
      'a variable as the module name',
      module('', '@data_processor(name=NAME)'),
      [
        'demo.py:1:22: @data_processor: name NAME is a variable, not a literal. berth reads annotations without running your code: write the value itself, e.g. name="...".',
      ],
    ],
    [
      'an unknown @parameter keyword, with the right one named',
      module('@parameter("p", "int", default=1)'),
      ['demo.py:2:24: @parameter "p" has no argument "default". Write defaultValue=... instead.'],
    ],
    [
      'required that is not a bool',
      module('@parameter("p", "int", required="sometimes")'),
      [
        'demo.py:2:33: @parameter "p": required is "sometimes", not True or False. Write required=True or required=False.',
      ],
    ],
    [
      'too many positional arguments',
      module('@parameter("p", "int", True, 1, "d", "extra")'),
      [
        'demo.py:2:38: @parameter "p" takes at most 5 arguments (name, type, required, defaultValue, description). Remove the extra one.',
      ],
    ],
    [
      'an argument given twice',
      module('@parameter("p", "int", name="q")'),
      ['demo.py:2:24: @parameter "p" gives "name" twice. Keep one.'],
    ],
    [
      '*args in a decorator',
      module('@parameter(*ARGS)'),
      [
        'demo.py:2:1: @parameter #1 has no name. Add name="epochs" (it becomes the --epochs flag).',
        'demo.py:2:1: @parameter #1 has no type. Add type="str" (one of str, int, float, bool or list).',
        'demo.py:2:12: @parameter #1: *ARGS... is not a literal value. berth reads annotations without running your code: write the values themselves.',
      ],
    ],
    [
      'a module without a name',
      module('', '@data_processor(description="d")'),
      [
        'demo.py:1:1: @data_processor has no name. Add name="My module" (it names the module and its image).',
      ],
    ],
    [
      'a module name without letters or digits',
      module('', '@data_processor(name="***")'),
      [
        'demo.py:1:22: @data_processor: the name "***" has no letter or digit to name the module by. Write a name such as name="Image rotation".',
      ],
    ],
    [
      'a module decorator without arguments',
      module('', '@data_processor'),
      [
        'demo.py:1:1: @data_processor has no arguments. Write @data_processor(name="My module", description="What it does").',
      ],
    ],
    [
      'a module on a class',
      '@data_processor(name="x")\nclass Operation:\n    pass\n',
      [
        'demo.py:1:1: @data_processor decorates a class. Put it on the function that runs the module (def main(...):).',
      ],
    ],
    [
      'a @parameter on another function',
      `${module('@parameter("a", "int")')}\n@parameter("b", "int")\ndef helper():\n    pass\n`,
      [
        'demo.py:6:1: @parameter is not on the @data_processor function "main", so it would be ignored. Move it directly above that function, next to @data_processor.',
      ],
    ],
    [
      'two modules in one file',
      `${module('')}\n@model(name="second")\ndef other():\n    pass\n`,
      [
        'demo.py:6:1: a second @model (the first is at line 1). Publish one module per entry point: keep one and move the other to its own file.',
      ],
    ],
  ])('%s', (_name, source, expected) => {
    expect(problems(source)).toEqual(expected);
  });

  test('no module at all (a commented-out decorator does not count)', () => {
    expect(problems('# @data_processor(name="x")\ndef main():\n    pass\n')).toEqual([
      'demo.py:1:1: declares no module. Add `@data_processor(name="My module", description="...")` above the function to publish.',
    ]);
  });

  test('a syntax error inside a decorator is reported, not skipped', () => {
    const result = problems(module('@parameter("p", "int", defaultValue=)'));
    expect(result).toEqual(['demo.py:2:37: invalid syntax at ")"']);
  });

  test('every problem of a file is reported at once, in line order, in the message too', () => {
    const source = readFileSync(path.join(fixtures, 'broken-annotations/augment.py'), 'utf8');
    let error: AnnotationError | undefined;
    try {
      extractModuleSchema(source, 'augment.py');
    } catch (caught) {
      error = caught as AnnotationError;
    }
    expect(error?.problems.map((p) => [p.line, p.column])).toEqual([
      [16, 17],
      [16, 75],
      [17, 17],
      [17, 73],
      [18, 52],
      [19, 51],
      [20, 30],
      [21, 17],
    ]);
    expect(error?.message).toContain('The module annotations in augment.py have 8 problems:');
    expect(error?.message).toContain(
      'augment.py:18:52: @parameter "epochs": default "ten" is not an int. Write an integer, e.g. defaultValue=10.',
    );
    expect(error?.message).toContain('augment.py:20:30: @parameter "mode": unknown type "dict".');
    expect(error?.message).toContain('augment.py:21:17: @parameter "epochs" is declared twice.');
    // The next step: the command on the CLI, the publish screen in the TUI.
    expect(describeError(error, cliVocabulary).hint).toContain('`berth publish --dry-run`');
    expect(describeError(error, screenVocabulary).hint).toBe(
      'Fix the annotations, then check them again: open Publish (b): it checks the project before you confirm.',
    );
  });

  test('columns count characters, not UTF-16 units', () => {
    // "🙂" is two UTF-16 units but one column, so `x` is at column 31, not 32.
    expect(problems(module('@parameter("🙂", "int", False, x)'))).toEqual([
      'demo.py:2:12: @parameter "🙂": the name is not valid: it becomes the --flag of the entry point, so use letters, digits, _ and - (not first).',
      'demo.py:2:31: @parameter "🙂": defaultValue x is a variable, not a literal. berth reads annotations without running your code: write the value itself, e.g. defaultValue=10.',
    ]);
  });
});

describe("MLReef's whole @data_processor argument set", () => {
  test("the Add Noise template of MLReef's docs: command, type, author, ... kept as metadata", () => {
    const source = readFileSync(path.join(fixtures, 'add-noise/add_noise.py'), 'utf8');
    const {schema, notes} = readModuleAnnotations(source, 'add_noise.py');
    expect(schema).toMatchObject({
      name: 'Add Noise',
      slug: 'add-noise',
      description: 'This data operation adds noise to an image',
      function: 'init_params',
      metadata: {
        author: 'MLReef',
        command: 'im_add_noise',
        type: 'OPERATION',
        visibility: 'PUBLIC',
        input_type: 'IMAGE',
        output_type: 'IMAGE',
      },
    });
    expect(schema.parameters.map((p) => [p.name, p.defaultValue])).toEqual([
      ['input-path', 'train'],
      ['output-path', 'output'],
      ['mode', 'speckle'],
    ]);
    expect(notes).toEqual([expect.stringContaining('visibility')]);
  });

  test("the Resnet50 example of MLReef's README (command=, output_type=MODEL)", () => {
    const schema = extractModuleSchema(
      `@data_processor(
    name="Resnet50",
    author="MLReef",
    command="resnet50",
    type="ALGORITHM",
    description="CNN Model resnet50",
    visibility="PUBLIC",
    input_type="IMAGE",
    output_type="MODEL"
)
@parameter(name='input-path', type='str', required=True, defaultValue='train', description="input path")
@parameter(name='output-path', type='str', required=True, defaultValue='output', description="output path")
@parameter(name='height', type='int', required=True, defaultValue=224, description="height of cropped images in px")
@parameter(name='width', type='int', required=True, defaultValue=224, description="width of cropped images in px")
def init_params():
    pass
`,
      'resnet50.py',
    );
    expect(schema.slug).toBe('resnet50');
    expect(schema.metadata).toEqual({
      author: 'MLReef',
      command: 'resnet50',
      type: 'ALGORITHM',
      visibility: 'PUBLIC',
      input_type: 'IMAGE',
      output_type: 'MODEL',
    });
    expect(schema.parameters.map((p) => p.name)).toEqual([
      'input-path',
      'output-path',
      'height',
      'width',
    ]);
  });

  test.each([
    ['slug="commons-image-crop"', 'commons-image-crop', []],
    ['slug="Commons Image_Crop"', 'commons-image-crop', ['is used as "commons-image-crop"']],
  ])('a declared %s names the module (MLReef prefers it to the name)', (slug, expected, warned) => {
    const {schema, notes} = readModuleAnnotations(
      module('', `@data_processor(name="Image Crop", ${slug}, command="im_crop")`),
      'demo.py',
    );
    expect(schema.name).toBe('Image Crop');
    expect(schema.slug).toBe(expected);
    expect(schema.metadata).toEqual({command: 'im_crop'});
    expect(notes).toEqual(warned.map((w) => expect.stringContaining(w)));
  });

  test('a slug without a letter or digit is refused at its column', () => {
    expect(problems(module('', '@data_processor(name="x", slug="--")'))).toEqual([
      'demo.py:1:32: @data_processor: the slug "--" has no letter or digit to name the module by. Write e.g. slug="image-rotation", or leave it out to use the name.',
    ]);
  });

  test('an argument berth does not know is a warning naming it, never a refusal', () => {
    const {schema, notes} = readModuleAnnotations(
      module('', '@data_processor(name="x", colour="red", version=2)'),
      'demo.py',
    );
    expect(schema.slug).toBe('x');
    expect(schema.metadata).toEqual({});
    expect(notes).toEqual([
      'demo.py:1:27: @data_processor has no argument "colour"; berth ignores it (it reads name, slug, description, author, command, type, visibility, input_type, output_type).',
      'demo.py:1:41: @data_processor has no argument "version"; berth ignores it (it reads name, slug, description, author, command, type, visibility, input_type, output_type).',
    ]);
  });

  test('a metadata value that is not a literal is still an error', () => {
    expect(problems(module('', '@data_processor(name="x", command=CMD)'))).toEqual([
      'demo.py:1:35: @data_processor: command CMD is a variable, not a literal. berth reads annotations without running your code: write the value itself, e.g. command="...".',
    ]);
  });
});

describe('the whole entry point must be valid Python 3 (read statically)', () => {
  /** The one syntax problem of a source, formatted. */
  function syntaxError(source: string): string {
    try {
      extractModuleSchema(source, 'demo.py');
    } catch (error) {
      expect(error).toBeInstanceOf(AnnotationError);
      const annotationError = error as AnnotationError;
      expect(annotationError.kind).toBe('syntax');
      expect(annotationError.message).toMatch(
        /^demo\.py is not valid Python 3, so the image would fail when it starts:\n {2}demo\.py:\d+:\d+: /,
      );
      expect(annotationError.problems).toHaveLength(1);
      const [problem] = annotationError.problems;
      return `demo.py:${problem!.line}:${problem!.column}: ${problem!.message}`;
    }
    throw new Error('expected a syntax error');
  }
  const valid = module('@parameter("a", "int")');

  test.each<[string, string, string]>([
    [
      "Python 2's print statement, far from the decorators",
      `${valid}\nif __name__ == "__main__":\n    print "starting"\n`,
      "demo.py:7:5: Missing parentheses in call to 'print'. Did you mean print(...)?",
    ],
    [
      'print x',
      `${valid}\nx = 1\nprint x\n`,
      "demo.py:7:1: Missing parentheses in call to 'print'. Did you mean print(...)?",
    ],
    [
      'every line indented (copied from a README code block)',
      valid
        .split('\n')
        .map((l) => (l ? `    ${l}` : l))
        .join('\n'),
      'demo.py:1:5: unexpected indent',
    ],
    [
      "Python 2's except E, e",
      `${valid}\ntry:\n    pass\nexcept ValueError, e:\n    pass\n`,
      'demo.py:8:18: multiple exception types must be parenthesized (Python 2\'s "except E, e:" is "except E as e:" in Python 3)',
    ],
    ['a missing colon', `${valid}\ndef helper()\n    return 1\n`, 'demo.py:7:5: unexpected indent'],
    [
      'a block without a body',
      `${valid}\nfor i in range(3):\nx = 1\n`,
      "demo.py:7:1: expected an indented block after 'for' statement on line 6",
    ],
    [
      'a dedent to no outer level',
      `${valid}\nif True:\n        x = 1\n    y = 2\n`,
      'demo.py:8:5: unindent does not match any outer indentation level',
    ],
    [
      'tabs and spaces mixed',
      `${valid}\nif True:\n\tx = 1\n        y = 2\n`,
      'demo.py:8:9: inconsistent use of tabs and spaces in indentation',
    ],
    [
      'an unterminated string',
      `${valid}\nname = "abc\n`,
      'demo.py:6:8: unterminated string literal (detected at line 6)',
    ],
    ['an unclosed bracket', `${valid}\nvalues = [1, 2,\n`, "demo.py:6:10: '[' was never closed"],
    [
      'a mismatched bracket',
      `${valid}\nvalues = (1, 2]\n`,
      "demo.py:6:15: closing parenthesis ']' does not match opening parenthesis '('",
    ],
    [
      "Python 2's octal literal",
      `${valid}\nmode = 0777\n`,
      'demo.py:6:8: leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers',
    ],
    ["Python 2's <>", `${valid}\nok = 1 <> 2\n`, 'demo.py:6:8: <> is Python 2; write !='],
    [
      'a curly quote pasted from a web page',
      `${valid}\nname = “x”\n`,
      "demo.py:6:8: invalid character '“' (U+201C)",
    ],
    ['a grammar error', `${valid}\nx = = 1\n`, 'demo.py:6:5: invalid syntax at "="'],
    ['return outside a function', `${valid}\nreturn 1\n`, "demo.py:6:1: 'return' outside function"],
    [
      'break outside a loop',
      `${valid}\nif True:\n    break\n`,
      "demo.py:7:5: 'break' outside loop",
    ],
  ])('%s', (_name, source, expected) => {
    expect(syntaxError(source)).toBe(expected);
  });

  test.each([
    ['floats written 1. and a bare yield', 'x = 1. * 2.\ndef gen():\n    yield\n'],
    [
      'with ... as (a, b) and parenthesized context managers',
      'with open("a") as (f):\n    pass\nwith (\n    open("a") as a,\n    open("b") as b,\n):\n    pass\n',
    ],
    [
      'match with class and mapping patterns',
      'match x:\n    case Point():\n        pass\n    case {}:\n        pass\n',
    ],
    [
      'f-strings with nested quotes and format specs',
      'n = 3\ns = f"{n:>{n}} {\'a\'} {{literal}}"\nt = f\'{"x"!r:^10}\'\n',
    ],
    ['print >> f, x is an expression in Python 3', 'import sys\nprint >> sys.stderr, "x"\n'],
    ['a continuation line, CRLF line ends and a BOM', '\uFEFFx = 1 + \\\r\n    2\r\n'],
    [
      'break in a while-else inside a loop',
      'for i in x:\n    while a:\n        pass\n    else:\n        break\n',
    ],
  ])('valid Python 3 is accepted: %s', (_name, code) => {
    expect(() => extractModuleSchema(`${code}\n${valid}`, 'demo.py')).not.toThrow();
  });
});

describe('the sample projects', () => {
  test('resnet-trainer: MLReef spellings, mixed arguments and commented-out decorators', () => {
    const source = readFileSync(path.join(fixtures, 'resnet-trainer/src/train.py'), 'utf8');
    const schema = extractModuleSchema(source, 'src/train.py');
    expect(schema.name).toBe('ResNet50 Trainer');
    expect(schema.slug).toBe('resnet50-trainer');
    expect(schema.description).toBe(
      'Trains ResNet50 on a folder of images,\nwith or without pretrained weights',
    );
    expect(schema.function).toBe('init_parameters');
    expect(schema.parameters.map((p) => [p.name, p.type, p.required, p.defaultValue])).toEqual([
      ['images_path', 'str', true, '.'],
      ['output_path', 'str', true, '.'],
      ['height', 'int', true, 224],
      ['width', 'int', true, 224],
      ['epochs', 'int', true, 5],
      ['channels', 'int', false, 3],
      ['use_pretrained', 'bool', false, false],
      ['batch_size', 'int', false, 32],
      ['training_split', 'float', false, 0.8],
      ['learning_rate', 'float', false, 0.0001],
      ['loss', 'str', false, 'sparse_categorical_crossentropy'],
    ]);
  });

  test('wordcloud-visualization: all-positional with a list literal and None', () => {
    const source = readFileSync(
      path.join(fixtures, 'wordcloud-visualization/wordcloud_square.py'),
      'utf8',
    );
    const schema = extractModuleSchema(source, 'wordcloud_square.py');
    expect(schema.kind).toBe('data-visualization');
    expect(schema.parameters).toEqual([
      {
        name: 'input-path',
        type: 'str',
        required: true,
        defaultValue: null,
        description: 'text file to read',
      },
      {
        name: 'max-words',
        type: 'int',
        required: false,
        defaultValue: 200,
        description: 'how many words to show',
      },
      {name: 'lowercase', type: 'bool', required: false, defaultValue: true, description: ''},
      {
        name: 'stopwords',
        type: 'list',
        required: false,
        defaultValue: ['the', 'a', 'an'],
        description: 'words to leave out',
      },
    ]);
  });
});

describe('declaresModule', () => {
  test.each<[string, boolean]>([
    ['@data_processor(name="x")\ndef f(): pass\n', true],
    ['@model(name="x")\ndef f(): pass\n', true],
    ['# @data_processor(name="x")\ndef f(): pass\n', false],
    ['"""\n@data_processor(name="x")\n"""\n', false],
    ['@api.model\nclass M: pass\n', false],
    ['@model_validator(mode="after")\ndef f(): pass\n', false],
    ['import os\nprint(os.name)\n', false],
  ])('%j → %s', (source, expected) => {
    expect(declaresModule(source)).toBe(expected);
  });
});
