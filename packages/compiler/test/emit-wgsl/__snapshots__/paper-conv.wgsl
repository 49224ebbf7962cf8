// ==== computeConv1Output ====
// Layer conv1: convolution of the input.
// x^1[i,j] = sum_{m=0..2} sum_{n=0..2} sum_{k=0..0} w^1[m,n] * x[i + m,j + n] + b^1
// Then, from the value just computed, in the same invocation:
// Layer conv1: tanh activation.
// O^1[i,j] = tanh(x^1[i,j])
// One invocation computes one element of conv1/preActivation and conv1/output for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> conv1Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> conv1Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> conv1PreActivation: array<f32>;
@group(0) @binding(5) var<storage, read_write> conv1Output: array<f32>;

@compute @workgroup_size(64)
fn computeConv1Output(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 36 * batch) {
    return;
  }
  let example = flat / 36;
  let i = (flat / 6) % 6;
  let j = flat % 6;
  let c = 0;
  var sum1: f32 = 0.0;
  for (var m: i32 = 0; m <= 2; m++) {
    for (var n: i32 = 0; n <= 2; n++) {
      for (var k: i32 = 0; k <= 0; k++) {
        sum1 += conv1Kernel[u32(3 * m + n + k + c)] * x[u32(64 * example + 8 * i + 8 * m + j + n + k)];
      }
    }
  }
  let preActivation: f32 = sum1 + conv1Bias[u32(c)];
  conv1PreActivation[u32(36 * example + 6 * i + j + c)] = preActivation;
  conv1Output[u32(36 * example + 6 * i + j + c)] = tanh(preActivation);
}
// ==== computeConv2Output ====
// Layer conv2: convolution of the input.
// x^2[i,j] = sum_{m=0..1} sum_{n=0..1} sum_{k=0..0} w^2[m,n] * O^1[i + m,j + n] + b^2
// Then, from the value just computed, in the same invocation:
// Layer conv2: relu activation.
// O^2[i,j] = relu(x^2[i,j])
// One invocation computes one element of conv2/preActivation and conv2/output for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv1Output: array<f32>;
@group(0) @binding(2) var<storage, read> conv2Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> conv2Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> conv2PreActivation: array<f32>;
@group(0) @binding(5) var<storage, read_write> conv2Output: array<f32>;

@compute @workgroup_size(64)
fn computeConv2Output(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 25 * batch) {
    return;
  }
  let example = flat / 25;
  let i = (flat / 5) % 5;
  let j = flat % 5;
  let c = 0;
  var sum1: f32 = 0.0;
  for (var m: i32 = 0; m <= 1; m++) {
    for (var n: i32 = 0; n <= 1; n++) {
      for (var k: i32 = 0; k <= 0; k++) {
        sum1 += conv2Kernel[u32(2 * m + n + k + c)] * conv1Output[u32(36 * example + 6 * i + 6 * m + j + n + k)];
      }
    }
  }
  let preActivation: f32 = sum1 + conv2Bias[u32(c)];
  conv2PreActivation[u32(25 * example + 5 * i + j + c)] = preActivation;
  conv2Output[u32(25 * example + 5 * i + j + c)] = select(0.0, preActivation, preActivation > 0.0);
}
// ==== computeOutPreActivation ====
// Layer out: weighted sum of the inputs.
// x^4[u] = sum_{p=0..4} sum_{q=0..4} sum_{r=0..0} w^4[p,q,u] * O^2[p,q] + b^4[u]
// One invocation computes one element of out/preActivation for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv2Output: array<f32>;
@group(0) @binding(2) var<storage, read> outKernel: array<f32>;
@group(0) @binding(3) var<storage, read> outBias: array<f32>;
@group(0) @binding(4) var<storage, read_write> outPreActivation: array<f32>;

@compute @workgroup_size(64)
fn computeOutPreActivation(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 3 * batch) {
    return;
  }
  let example = flat / 3;
  let u = flat % 3;
  var sum1: f32 = 0.0;
  for (var p: i32 = 0; p <= 4; p++) {
    for (var q: i32 = 0; q <= 4; q++) {
      for (var r: i32 = 0; r <= 0; r++) {
        sum1 += outKernel[u32(15 * p + 3 * q + 3 * r + u)] * conv2Output[u32(25 * example + 5 * p + q + r)];
      }
    }
  }
  outPreActivation[u32(3 * example + u)] = sum1 + outBias[u32(u)];
}
// ==== computeOutSoftmaxShift ====
// Layer out: softmax shift, the largest logit.
// s^4 = max_{u2} x^4[u2]
// One invocation computes one element of out/softmaxShift for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> outPreActivation: array<f32>;
@group(0) @binding(2) var<storage, read_write> outSoftmaxShift: array<f32>;

@compute @workgroup_size(64)
fn computeOutSoftmaxShift(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= batch) {
    return;
  }
  let example = flat;
  var max1: f32 = -3.402823e38;
  for (var u2: i32 = 0; u2 <= 2; u2++) {
    max1 = max(max1, outPreActivation[u32(3 * example + u2)]);
  }
  outSoftmaxShift[u32(example)] = max1;
}
// ==== computeOutSoftmaxExp ====
// Layer out: shifted exponentials.
// u^4[u] = exp(x^4[u] - s^4)
// One invocation computes one element of out/softmaxExp for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> outPreActivation: array<f32>;
@group(0) @binding(2) var<storage, read> outSoftmaxShift: array<f32>;
@group(0) @binding(3) var<storage, read_write> outSoftmaxExp: array<f32>;

@compute @workgroup_size(64)
fn computeOutSoftmaxExp(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 3 * batch) {
    return;
  }
  let example = flat / 3;
  let u = flat % 3;
  let u1: f32 = outPreActivation[u32(3 * example + u)] + -outSoftmaxShift[u32(example)];
  outSoftmaxExp[u32(3 * example + u)] = exp(u1);
}
// ==== computeOutSoftmaxSum ====
// Layer out: softmax normaliser.
// Z^4 = sum_{u2=0..2} u^4[u2]
// One invocation computes one element of out/softmaxSum for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> outSoftmaxExp: array<f32>;
@group(0) @binding(2) var<storage, read_write> outSoftmaxSum: array<f32>;

@compute @workgroup_size(64)
fn computeOutSoftmaxSum(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= batch) {
    return;
  }
  let example = flat;
  var sum1: f32 = 0.0;
  for (var u2: i32 = 0; u2 <= 2; u2++) {
    sum1 += outSoftmaxExp[u32(3 * example + u2)];
  }
  outSoftmaxSum[u32(example)] = sum1;
}
// ==== computeOutOutput ====
// Layer out: softmax activation.
// y[u] = u^4[u] / Z^4
// One invocation computes one element of out/output for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> outSoftmaxExp: array<f32>;
@group(0) @binding(2) var<storage, read> outSoftmaxSum: array<f32>;
@group(0) @binding(3) var<storage, read_write> outOutput: array<f32>;

@compute @workgroup_size(64)
fn computeOutOutput(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 3 * batch) {
    return;
  }
  let example = flat / 3;
  let u = flat % 3;
  outOutput[u32(3 * example + u)] = outSoftmaxExp[u32(3 * example + u)] / outSoftmaxSum[u32(example)];
}
// ==== computeLoss ====
// loss of one example.
// L = -(sum_{u=0..2} t[u] * (x^4[u] - s^4 - log(Z^4)))
// One invocation computes one element of loss for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> outPreActivation: array<f32>;
@group(0) @binding(2) var<storage, read> outSoftmaxShift: array<f32>;
@group(0) @binding(3) var<storage, read> outSoftmaxSum: array<f32>;
@group(0) @binding(4) var<storage, read> t: array<f32>;
@group(0) @binding(5) var<storage, read_write> loss: array<f32>;

@compute @workgroup_size(64)
fn computeLoss(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= batch) {
    return;
  }
  let example = flat;
  var sum1: f32 = 0.0;
  for (var u: i32 = 0; u <= 2; u++) {
    sum1 += t[u32(3 * example + u)] * (outPreActivation[u32(3 * example + u)] + -outSoftmaxShift[u32(example)] + -log(outSoftmaxSum[u32(example)]));
  }
  loss[u32(example)] = -sum1;
}
// ==== computeOutPreActivationGrad ====
// Layer out: gradient of the loss with respect to out/preActivation.
// delta^4[u'] = y[u'] - t[u']
// Derived by chain rule, substitute, linearity, scalar rule, access derivative, Kronecker delta elimination, bounds, recognise forward values.
// One invocation computes one element of grad(out/preActivation) for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> outOutput: array<f32>;
@group(0) @binding(2) var<storage, read> t: array<f32>;
@group(0) @binding(3) var<storage, read_write> outPreActivationGrad: array<f32>;

@compute @workgroup_size(64)
fn computeOutPreActivationGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 3 * batch) {
    return;
  }
  let example = flat / 3;
  let u_ = flat % 3;
  outPreActivationGrad[u32(3 * example + u_)] = outOutput[u32(3 * example + u_)] + -t[u32(3 * example + u_)];
}
// ==== computeConv2PreActivationGrad ====
// Layer conv2: gradient of the loss with respect to conv2/output.
// dL/dO^2[i',j'] = sum_{u=0..2} delta^4[u] * w^4[i',j',u]
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, from the value just computed, in the same invocation:
// Layer conv2: gradient of the loss with respect to conv2/preActivation.
// delta^2[i',j'] = dL/dO^2[i',j'] * [x^2[i',j'] > 0]
// Derived by chain rule, substitute, scalar rule, access derivative, Kronecker delta elimination, bounds.
// One invocation computes one element of grad(conv2/preActivation) for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv2PreActivation: array<f32>;
@group(0) @binding(2) var<storage, read> outKernel: array<f32>;
@group(0) @binding(3) var<storage, read> outPreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> conv2PreActivationGrad: array<f32>;

@compute @workgroup_size(64)
fn computeConv2PreActivationGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 25 * batch) {
    return;
  }
  let example = flat / 25;
  let i_ = (flat / 5) % 5;
  let j_ = flat % 5;
  let c_ = 0;
  var sum1: f32 = 0.0;
  for (var u: i32 = 0; u <= 2; u++) {
    sum1 += outPreActivationGrad[u32(3 * example + u)] * outKernel[u32(15 * i_ + 3 * j_ + 3 * c_ + u)];
  }
  let outputGrad: f32 = sum1;
  conv2PreActivationGrad[u32(25 * example + 5 * i_ + j_ + c_)] = outputGrad * select(0.0, 1.0, conv2PreActivation[u32(25 * example + 5 * i_ + j_ + c_)] > 0.0);
}
// ==== computeConv1PreActivationGrad ====
// Layer conv1: gradient of the loss with respect to conv1/output.
// dL/dO^1[i',j'] = sum_{m=max(i' - 4, 0)..min(i', 1)} sum_{n=max(j' - 4, 0)..min(j', 1)} delta^2[i' - m,j' - n] * w^2[m,n]
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, from the value just computed, in the same invocation:
// Layer conv1: gradient of the loss with respect to conv1/preActivation.
// delta^1[i',j'] = dL/dO^1[i',j'] * (1 - O^1[i',j']^2)
// Derived by chain rule, substitute, scalar rule, access derivative, Kronecker delta elimination, bounds, recognise forward values.
// One invocation computes one element of grad(conv1/preActivation) for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv1Output: array<f32>;
@group(0) @binding(2) var<storage, read> conv2Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> conv2PreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> conv1PreActivationGrad: array<f32>;

@compute @workgroup_size(64)
fn computeConv1PreActivationGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 36 * batch) {
    return;
  }
  let example = flat / 36;
  let i_ = (flat / 6) % 6;
  let j_ = flat % 6;
  let c_ = 0;
  var sum1: f32 = 0.0;
  let mLast = min(i_, 1);
  for (var m: i32 = max(i_ - 4, 0); m <= mLast; m++) {
    let nLast = min(j_, 1);
    for (var n: i32 = max(j_ - 4, 0); n <= nLast; n++) {
      sum1 += conv2PreActivationGrad[u32(25 * example + 5 * i_ + j_ - 5 * m - n)] * conv2Kernel[u32(2 * m + n + c_)];
    }
  }
  let outputGrad: f32 = sum1;
  conv1PreActivationGrad[u32(36 * example + 6 * i_ + j_ + c_)] = outputGrad * (1.0 + -(conv1Output[u32(36 * example + 6 * i_ + j_ + c_)] * conv1Output[u32(36 * example + 6 * i_ + j_ + c_)]));
}
// ==== computeConv1KernelGrad ====
// Layer conv1: gradient of the loss with respect to conv1/kernel.
// dL/dw^1[m',n'] = sum_{i=0..5} sum_{j=0..5} delta^1[i,j] * x[i + m',j + n']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on conv1/kernel: w <- w - learningRate * dL/dw.
// One workgroup computes 8 elements of grad(conv1/kernel), 8 lanes each: a lane
// sums every 8th example, then the first lane adds up the partial sums.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> conv1Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> conv1PreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> conv1KernelGrad: array<f32>;

var<workgroup> partialSums: array<f32, 64>;

@compute @workgroup_size(64)
fn computeConv1KernelGrad(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let position = i32(group.x + 65535u * group.y) * 8 + i32(slot) % 8;
  let flat = min(position, 8);
  let lane = i32(slot) / 8;
  let batch = i32(params.batch);
  let m_ = flat / 3;
  let n_ = flat % 3;
  let k_ = 0;
  let c_ = 0;
  var total: f32 = 0.0;
  for (var example: i32 = lane; example < batch; example += 8) {
    var sum1: f32 = 0.0;
    for (var i: i32 = 0; i <= 5; i++) {
      for (var j: i32 = 0; j <= 5; j++) {
        sum1 += conv1PreActivationGrad[u32(36 * example + 6 * i + j + c_)] * x[u32(64 * example + 8 * i + 8 * m_ + j + n_ + k_)];
      }
    }
    total += sum1;
  }

  partialSums[slot] = total;
  workgroupBarrier();
  if (lane == 0 && position < 9) {
    for (var otherLane: u32 = 1u; otherLane < 8u; otherLane++) {
      total += partialSums[slot + 8u * otherLane];
    }
    conv1KernelGrad[u32(3 * m_ + n_ + k_ + c_)] = total / f32(batch);
    if (params.update == 1u) {
      conv1Kernel[u32(3 * m_ + n_ + k_ + c_)] = conv1Kernel[u32(3 * m_ + n_ + k_ + c_)] - params.learningRate * conv1KernelGrad[u32(3 * m_ + n_ + k_ + c_)];
    }
  }
}
// ==== computeConv1BiasGrad ====
// Layer conv1: gradient of the loss with respect to conv1/bias.
// dL/db^1 = sum_{i=0..5} sum_{j=0..5} delta^1[i,j]
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on conv1/bias: w <- w - learningRate * dL/dw.
// One workgroup computes 8 elements of grad(conv1/bias), 8 lanes each: a lane
// sums every 8th example, then the first lane adds up the partial sums.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> conv1Bias: array<f32>;
@group(0) @binding(2) var<storage, read> conv1PreActivationGrad: array<f32>;
@group(0) @binding(3) var<storage, read_write> conv1BiasGrad: array<f32>;

var<workgroup> partialSums: array<f32, 64>;

@compute @workgroup_size(64)
fn computeConv1BiasGrad(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let position = i32(group.x + 65535u * group.y) * 8 + i32(slot) % 8;
  let flat = min(position, 0);
  let lane = i32(slot) / 8;
  let batch = i32(params.batch);
  let c_ = 0;
  var total: f32 = 0.0;
  for (var example: i32 = lane; example < batch; example += 8) {
    var sum1: f32 = 0.0;
    for (var i: i32 = 0; i <= 5; i++) {
      for (var j: i32 = 0; j <= 5; j++) {
        sum1 += conv1PreActivationGrad[u32(36 * example + 6 * i + j + c_)];
      }
    }
    total += sum1;
  }

  partialSums[slot] = total;
  workgroupBarrier();
  if (lane == 0 && position < 1) {
    for (var otherLane: u32 = 1u; otherLane < 8u; otherLane++) {
      total += partialSums[slot + 8u * otherLane];
    }
    conv1BiasGrad[u32(c_)] = total / f32(batch);
    if (params.update == 1u) {
      conv1Bias[u32(c_)] = conv1Bias[u32(c_)] - params.learningRate * conv1BiasGrad[u32(c_)];
    }
  }
}
// ==== computeConv2KernelGrad ====
// Layer conv2: gradient of the loss with respect to conv2/kernel.
// dL/dw^2[m',n'] = sum_{i=0..4} sum_{j=0..4} delta^2[i,j] * O^1[i + m',j + n']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on conv2/kernel: w <- w - learningRate * dL/dw.
// One workgroup computes 16 elements of grad(conv2/kernel), 4 lanes each: a lane
// sums every 4th example, then the first lane adds up the partial sums.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv1Output: array<f32>;
@group(0) @binding(2) var<storage, read_write> conv2Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> conv2PreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> conv2KernelGrad: array<f32>;

var<workgroup> partialSums: array<f32, 64>;

@compute @workgroup_size(64)
fn computeConv2KernelGrad(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let position = i32(group.x + 65535u * group.y) * 16 + i32(slot) % 16;
  let flat = min(position, 3);
  let lane = i32(slot) / 16;
  let batch = i32(params.batch);
  let m_ = flat / 2;
  let n_ = flat % 2;
  let k_ = 0;
  let c_ = 0;
  var total: f32 = 0.0;
  for (var example: i32 = lane; example < batch; example += 4) {
    var sum1: f32 = 0.0;
    for (var i: i32 = 0; i <= 4; i++) {
      for (var j: i32 = 0; j <= 4; j++) {
        sum1 += conv2PreActivationGrad[u32(25 * example + 5 * i + j + c_)] * conv1Output[u32(36 * example + 6 * i + 6 * m_ + j + n_ + k_)];
      }
    }
    total += sum1;
  }

  partialSums[slot] = total;
  workgroupBarrier();
  if (lane == 0 && position < 4) {
    for (var otherLane: u32 = 1u; otherLane < 4u; otherLane++) {
      total += partialSums[slot + 16u * otherLane];
    }
    conv2KernelGrad[u32(2 * m_ + n_ + k_ + c_)] = total / f32(batch);
    if (params.update == 1u) {
      conv2Kernel[u32(2 * m_ + n_ + k_ + c_)] = conv2Kernel[u32(2 * m_ + n_ + k_ + c_)] - params.learningRate * conv2KernelGrad[u32(2 * m_ + n_ + k_ + c_)];
    }
  }
}
// ==== computeConv2BiasGrad ====
// Layer conv2: gradient of the loss with respect to conv2/bias.
// dL/db^2 = sum_{i=0..4} sum_{j=0..4} delta^2[i,j]
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on conv2/bias: w <- w - learningRate * dL/dw.
// One workgroup computes 16 elements of grad(conv2/bias), 4 lanes each: a lane
// sums every 4th example, then the first lane adds up the partial sums.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> conv2Bias: array<f32>;
@group(0) @binding(2) var<storage, read> conv2PreActivationGrad: array<f32>;
@group(0) @binding(3) var<storage, read_write> conv2BiasGrad: array<f32>;

var<workgroup> partialSums: array<f32, 64>;

@compute @workgroup_size(64)
fn computeConv2BiasGrad(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let position = i32(group.x + 65535u * group.y) * 16 + i32(slot) % 16;
  let flat = min(position, 0);
  let lane = i32(slot) / 16;
  let batch = i32(params.batch);
  let c_ = 0;
  var total: f32 = 0.0;
  for (var example: i32 = lane; example < batch; example += 4) {
    var sum1: f32 = 0.0;
    for (var i: i32 = 0; i <= 4; i++) {
      for (var j: i32 = 0; j <= 4; j++) {
        sum1 += conv2PreActivationGrad[u32(25 * example + 5 * i + j + c_)];
      }
    }
    total += sum1;
  }

  partialSums[slot] = total;
  workgroupBarrier();
  if (lane == 0 && position < 1) {
    for (var otherLane: u32 = 1u; otherLane < 4u; otherLane++) {
      total += partialSums[slot + 16u * otherLane];
    }
    conv2BiasGrad[u32(c_)] = total / f32(batch);
    if (params.update == 1u) {
      conv2Bias[u32(c_)] = conv2Bias[u32(c_)] - params.learningRate * conv2BiasGrad[u32(c_)];
    }
  }
}
// ==== computeOutKernelGrad ====
// Layer out: gradient of the loss with respect to out/kernel.
// dL/dw^4[p',q',u'] = delta^4[u'] * O^2[p',q']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds, rename.
// Then, in a training step, gradient descent on out/kernel: w <- w - learningRate * dL/dw.
// One invocation computes one element of grad(out/kernel).

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv2Output: array<f32>;
@group(0) @binding(2) var<storage, read_write> outKernel: array<f32>;
@group(0) @binding(3) var<storage, read> outPreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> outKernelGrad: array<f32>;

@compute @workgroup_size(64)
fn computeOutKernelGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 75) {
    return;
  }
  let p_ = flat / 15;
  let q_ = (flat / 3) % 5;
  let r_ = 0;
  let u_ = flat % 3;
  var total: f32 = 0.0;
  for (var example: i32 = 0; example < batch; example++) {
    total += outPreActivationGrad[u32(3 * example + u_)] * conv2Output[u32(25 * example + 5 * p_ + q_ + r_)];
  }
  outKernelGrad[u32(15 * p_ + 3 * q_ + 3 * r_ + u_)] = total / f32(batch);
  if (params.update == 1u) {
    outKernel[u32(15 * p_ + 3 * q_ + 3 * r_ + u_)] = outKernel[u32(15 * p_ + 3 * q_ + 3 * r_ + u_)] - params.learningRate * outKernelGrad[u32(15 * p_ + 3 * q_ + 3 * r_ + u_)];
  }
}
// ==== computeOutBiasGrad ====
// Layer out: gradient of the loss with respect to out/bias.
// dL/db^4[u'] = delta^4[u']
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
  if (flat >= 3) {
    return;
  }
  let u_ = flat;
  var total: f32 = 0.0;
  for (var example: i32 = 0; example < batch; example++) {
    total += outPreActivationGrad[u32(3 * example + u_)];
  }
  outBiasGrad[u32(u_)] = total / f32(batch);
  if (params.update == 1u) {
    outBias[u32(u_)] = outBias[u32(u_)] - params.learningRate * outBiasGrad[u32(u_)];
  }
}