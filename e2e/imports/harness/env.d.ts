// The harness is type-checked with the Node config (e2e/**): let it import the component.
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
