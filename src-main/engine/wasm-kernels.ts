// Placeholder: issue 4 registers the wasm training kernels (Conv2DBackpropFilter, ...) here.
export function registerWasmTrainingKernels(): void {}
