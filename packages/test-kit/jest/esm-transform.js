/**
 * @swc/jest for the ESM-only packages jest compiles to CommonJS (transformIgnorePatterns in jest.config.js), with
 * each compiled file in a function scope of its own. ESM code may declare its own `__dirname` or `__filename`
 * (migrate-mongo does): at the top level of a CommonJS module that redeclares a parameter of jest's module wrapper,
 * a SyntaxError; inside the function it only shadows it.
 */
const { createTransformer: createSwcTransformer } = require('@swc/jest');

function wrapInFunction(result) {
  // The opening stays on the first line, so the source map holds for every other line.
  return { ...result, code: `(function () {${result.code}\n}).call(this);\n` };
}

module.exports = {
  createTransformer(swcOptions) {
    const swc = createSwcTransformer(swcOptions);
    return {
      ...swc,
      process: (src, filename, options) => wrapInFunction(swc.process(src, filename, options)),
      getCacheKey: (...args) => `${swc.getCacheKey(...args)}:function-scope`,
    };
  },
};
