// ==== computeOutOutput ====
// Layer out: weighted sum of the inputs.
// x^1[j] = sum_{i=0..2} w^1[i,j] * x[i] + b^1[j]
// Then, from the value just computed, in the same invocation:
// Layer out: sigmoid activation.
// y[j] = sigmoid(x^1[j])
// One invocation computes one element of out/preActivation and out/output for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> outKernel: array<f32>;
@group(0) @binding(3) var<storage, read> outBias: array<f32>;
@group(0) @binding(4) var<storage, read_write> outPreActivation: array<f32>;
@group(0) @binding(5) var<storage, read_write> outOutput: array<f32>;

fn sigmoid(v: f32) -> f32 {
  return 1.0 / (1.0 + exp(-v));
}

@compute @workgroup_size(64)
fn computeOutOutput(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 2 * batch) {
    return;
  }
  let example = flat / 2;
  let j = flat % 2;
  var sum1: f32 = 0.0;
  for (var i: i32 = 0; i <= 2; i++) {
    sum1 += outKernel[u32(2 * i + j)] * x[u32(3 * example + i)];
  }
  let preActivation: f32 = sum1 + outBias[u32(j)];
  outPreActivation[u32(2 * example + j)] = preActivation;
  outOutput[u32(2 * example + j)] = sigmoid(preActivation);
}
// ==== computeLossError ====
// error of each output.
// e[j] = t[j] - y[j]
// One invocation computes one element of loss/error for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> outOutput: array<f32>;
@group(0) @binding(2) var<storage, read> t: array<f32>;
@group(0) @binding(3) var<storage, read_write> lossError: array<f32>;

@compute @workgroup_size(64)
fn computeLossError(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 2 * batch) {
    return;
  }
  let example = flat / 2;
  let j = flat % 2;
  lossError[u32(2 * example + j)] = t[u32(2 * example + j)] + -outOutput[u32(2 * example + j)];
}
// ==== computeLoss ====
// loss of one example.
// E = 0.5 * (sum_{j=0..1} e[j]^2)
// One invocation computes one element of loss for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> lossError: array<f32>;
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;

@compute @workgroup_size(64)
fn computeLoss(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= batch) {
    return;
  }
  let example = flat;
  var sum1: f32 = 0.0;
  for (var j: i32 = 0; j <= 1; j++) {
    sum1 += lossError[u32(2 * example + j)] * lossError[u32(2 * example + j)];
  }
  loss[u32(example)] = 0.5 * sum1;
}
// ==== computeOutPreActivationGrad ====
// Layer out: gradient of the loss with respect to out/output.
// dE/dy[j'] = -e[j']
// Derived by chain rule, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, from the value just computed, in the same invocation:
// Layer out: gradient of the loss with respect to out/preActivation.
// delta^1[j'] = dE/dy[j'] * y[j'] * (1 - y[j'])
// Derived by chain rule, substitute, scalar rule, access derivative, Kronecker delta elimination, bounds, recognise forward values.
// One invocation computes one element of grad(out/preActivation) for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> outOutput: array<f32>;
@group(0) @binding(2) var<storage, read> lossError: array<f32>;
@group(0) @binding(3) var<storage, read_write> outPreActivationGrad: array<f32>;

@compute @workgroup_size(64)
fn computeOutPreActivationGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 2 * batch) {
    return;
  }
  let example = flat / 2;
  let j_ = flat % 2;
  let outputGrad: f32 = -lossError[u32(2 * example + j_)];
  outPreActivationGrad[u32(2 * example + j_)] = outputGrad * outOutput[u32(2 * example + j_)] * (1.0 + -outOutput[u32(2 * example + j_)]);
}
// ==== computeOutKernelGrad ====
// Layer out: gradient of the loss with respect to out/kernel.
// dE/dw^1[i',j'] = delta^1[j'] * x[i']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds, rename.
// Then, in a training step, gradient descent on out/kernel: w <- w - learningRate * dL/dw.
// One invocation computes one element of grad(out/kernel).

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> outKernel: array<f32>;
@group(0) @binding(3) var<storage, read> outPreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> outKernelGrad: array<f32>;

@compute @workgroup_size(64)
fn computeOutKernelGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 6) {
    return;
  }
  let i_ = flat / 2;
  let j_ = flat % 2;
  var total: f32 = 0.0;
  for (var example: i32 = 0; example < batch; example++) {
    total += outPreActivationGrad[u32(2 * example + j_)] * x[u32(3 * example + i_)];
  }
  outKernelGrad[u32(2 * i_ + j_)] = total / f32(batch);
  if (params.update == 1u) {
    outKernel[u32(2 * i_ + j_)] = outKernel[u32(2 * i_ + j_)] - params.learningRate * outKernelGrad[u32(2 * i_ + j_)];
  }
}
// ==== computeOutBiasGrad ====
// Layer out: gradient of the loss with respect to out/bias.
// dE/db^1[j'] = delta^1[j']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds, rename.
// Then, in a training step, gradient descent on out/bias: w <- w - learningRate * dL/dw.
// One invocation computes one element of grad(out/bias).

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> outBias: array<f32>;
@group(0) @binding(2) var<storage, read> outPreActivationGrad: array<f32>;
@group(0) @binding(3) var<storage, read_write> outBiasGrad: array<f32>;

@compute @workgroup_size(64)
fn computeOutBiasGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 2) {
    return;
  }
  let j_ = flat;
  var total: f32 = 0.0;
  for (var example: i32 = 0; example < batch; example++) {
    total += outPreActivationGrad[u32(2 * example + j_)];
  }
  outBiasGrad[u32(j_)] = total / f32(batch);
  if (params.update == 1u) {
    outBias[u32(j_)] = outBias[u32(j_)] - params.learningRate * outBiasGrad[u32(j_)];
  }
}