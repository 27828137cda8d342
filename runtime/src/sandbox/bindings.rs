//! Host-side bindings of the `step` world, generated from `host-api/wit`.

wasmtime::component::bindgen!({
    path: "../host-api/wit",
    world: "scena:plugin/step",
    imports: { default: async | trappable },
    exports: { default: async },
});

pub use self::scena::plugin::types as wit;
