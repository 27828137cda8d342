//! Host-side bindings of the `step` world, generated from `host-api/wit`:
//! the sandbox instantiates plugins through them, the atoms implement their imports.

wasmtime::component::bindgen!({
    path: "../host-api/wit",
    world: "scena:plugin/step",
    imports: { default: async | trappable },
    exports: { default: async },
});

pub use self::scena::plugin::types as wit;
