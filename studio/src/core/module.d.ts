declare module '@scena/core/scena_core_wasm.js';
