// Entry points for test modules: the no-op decorators MLReef scripts define for themselves, so a
// module runs under plain python3 and berth still reads its annotations statically.
export const annotationStubs = `def data_processor(*args, **kwargs):
    return lambda function: function


def parameter(*args, **kwargs):
    return lambda function: function
`;

/** `imports`, the stubs, then `body` (the decorated function and its `__main__`). */
export function moduleSource(imports: string, body: string): string {
  return `${imports.trimEnd()}\n\n\n${annotationStubs}\n\n${body.trimStart()}`;
}
