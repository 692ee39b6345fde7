// Module resolution hook (node:module register): the `electron` specifier resolves to the fake.
const SHIM = new URL('./fake_electron_shim.mjs', import.meta.url).href

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: SHIM, shortCircuit: true }
  return nextResolve(specifier, context)
}
