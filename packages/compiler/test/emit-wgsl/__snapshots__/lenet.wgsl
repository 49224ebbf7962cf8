// ==== computeConv1Output ====
// Layer conv1: convolution of the input.
// x^1[i,j,c] = sum_{m=max(-i + 2, 0)..min(-i + 29, 4)} sum_{n=max(-j + 2, 0)..min(-j + 29, 4)} sum_{k=0..0} w^1[m,n,c] * x[i + m - 2,j + n - 2] + b^1[c]
// Then, from the value just computed, in the same invocation:
// Layer conv1: relu activation.
// O^1[i,j,c] = relu(x^1[i,j,c])
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
  if (flat >= 4704 * batch) {
    return;
  }
  let example = flat / 4704;
  let i = (flat / 168) % 28;
  let j = (flat / 6) % 28;
  let c = flat % 6;
  var sum1: f32 = 0.0;
  let mLast = min(-i + 29, 4);
  for (var m: i32 = max(-i + 2, 0); m <= mLast; m++) {
    let nLast = min(-j + 29, 4);
    for (var n: i32 = max(-j + 2, 0); n <= nLast; n++) {
      for (var k: i32 = 0; k <= 0; k++) {
        sum1 += conv1Kernel[u32(30 * m + 6 * n + 6 * k + c)] * x[u32(784 * example + 28 * i + 28 * m + j + n + k - 58)];
      }
    }
  }
  let preActivation: f32 = sum1 + conv1Bias[u32(c)];
  conv1PreActivation[u32(4704 * example + 168 * i + 6 * j + c)] = preActivation;
  conv1Output[u32(4704 * example + 168 * i + 6 * j + c)] = select(0.0, preActivation, preActivation > 0.0);
}
// ==== computePool1Output ====
// Layer pool1: largest value of each pooling window.
// O^2[i,j,c] = max_{m,n} O^1[2*i + m,2*j + n,c]
// One invocation computes one element of pool1/output for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv1Output: array<f32>;
@group(0) @binding(2) var<storage, read_write> pool1Output: array<f32>;

@compute @workgroup_size(64)
fn computePool1Output(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 1176 * batch) {
    return;
  }
  let example = flat / 1176;
  let i = (flat / 84) % 14;
  let j = (flat / 6) % 14;
  let c = flat % 6;
  var max1: f32 = -3.402823e38;
  for (var m: i32 = 0; m <= 1; m++) {
    for (var n: i32 = 0; n <= 1; n++) {
      max1 = max(max1, conv1Output[u32(4704 * example + 336 * i + 168 * m + 12 * j + 6 * n + c)]);
    }
  }
  pool1Output[u32(1176 * example + 84 * i + 6 * j + c)] = max1;
}
// ==== computeConv2Output ====
// Layer conv2: convolution of the input.
// x^3[i,j,c] = sum_{m=0..4} sum_{n=0..4} sum_{k=0..5} w^3[m,n,k,c] * O^2[i + m,j + n,k] + b^3[c]
// Then, from the value just computed, in the same invocation:
// Layer conv2: relu activation.
// O^3[i,j,c] = relu(x^3[i,j,c])
// One invocation computes one element of conv2/preActivation and conv2/output for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pool1Output: array<f32>;
@group(0) @binding(2) var<storage, read> conv2Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> conv2Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> conv2PreActivation: array<f32>;
@group(0) @binding(5) var<storage, read_write> conv2Output: array<f32>;

@compute @workgroup_size(64)
fn computeConv2Output(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 1600 * batch) {
    return;
  }
  let example = flat / 1600;
  let i = (flat / 160) % 10;
  let j = (flat / 16) % 10;
  let c = flat % 16;
  var sum1: f32 = 0.0;
  for (var m: i32 = 0; m <= 4; m++) {
    for (var n: i32 = 0; n <= 4; n++) {
      for (var k: i32 = 0; k <= 5; k++) {
        sum1 += conv2Kernel[u32(480 * m + 96 * n + 16 * k + c)] * pool1Output[u32(1176 * example + 84 * i + 84 * m + 6 * j + 6 * n + k)];
      }
    }
  }
  let preActivation: f32 = sum1 + conv2Bias[u32(c)];
  conv2PreActivation[u32(1600 * example + 160 * i + 16 * j + c)] = preActivation;
  conv2Output[u32(1600 * example + 160 * i + 16 * j + c)] = select(0.0, preActivation, preActivation > 0.0);
}
// ==== computePool2Output ====
// Layer pool2: largest value of each pooling window.
// O^4[i,j,c] = max_{m,n} O^3[2*i + m,2*j + n,c]
// One invocation computes one element of pool2/output for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv2Output: array<f32>;
@group(0) @binding(2) var<storage, read_write> pool2Output: array<f32>;

@compute @workgroup_size(64)
fn computePool2Output(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 400 * batch) {
    return;
  }
  let example = flat / 400;
  let i = (flat / 80) % 5;
  let j = (flat / 16) % 5;
  let c = flat % 16;
  var max1: f32 = -3.402823e38;
  for (var m: i32 = 0; m <= 1; m++) {
    for (var n: i32 = 0; n <= 1; n++) {
      max1 = max(max1, conv2Output[u32(1600 * example + 320 * i + 160 * m + 32 * j + 16 * n + c)]);
    }
  }
  pool2Output[u32(400 * example + 80 * i + 16 * j + c)] = max1;
}
// ==== computeFc1Output ====
// Layer fc1: weighted sum of the inputs.
// x^6[u] = sum_{p=0..4} sum_{q=0..4} sum_{r=0..15} w^6[p,q,r,u] * O^4[p,q,r] + b^6[u]
// Then, from the value just computed, in the same invocation:
// Layer fc1: relu activation.
// O^6[u] = relu(x^6[u])
// One workgroup computes 8 x 8 elements of fc1/preActivation and fc1/output,
// 8 examples by 8 u: each pass over 32 terms of the sum
// loads them for its rows and its columns into workgroup memory, which they share.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pool2Output: array<f32>;
@group(0) @binding(2) var<storage, read> fc1Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> fc1Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> fc1PreActivation: array<f32>;
@group(0) @binding(5) var<storage, read_write> fc1Output: array<f32>;

var<workgroup> rowTerms: array<f32, 264>;
var<workgroup> columnTerms: array<f32, 256>;

@compute @workgroup_size(64)
fn computeFc1Output(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let batch = i32(params.batch);
  let tile = i32(group.x + 65535u * group.y);
  let rowInTile = i32(slot) / 8;
  let columnInTile = i32(slot) % 8;
  let example = tile / 15 * 8 + rowInTile;
  let u = tile % 15 * 8 + columnInTile;
  var sum1: f32 = 0.0;
  for (var start: i32 = 0; start <= 399; start += 32) {
    for (var part: i32 = 0; part < 4; part++) {
      {
        let pqr = start + columnInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (example < batch && pqr <= 399) {
          loaded = pool2Output[u32(400 * example + pqr)];
        }
        rowTerms[rowInTile * 33 + columnInTile + 8 * part] = loaded;
      }
      {
        let pqr = start + rowInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (u < 120 && pqr <= 399) {
          loaded = fc1Kernel[u32(120 * pqr + u)];
        }
        columnTerms[(rowInTile + 8 * part) * 8 + columnInTile] = loaded;
      }
    }
    workgroupBarrier();
    for (var term: i32 = 0; term < 32; term++) {
      sum1 += columnTerms[term * 8 + columnInTile] * rowTerms[rowInTile * 33 + term];
    }
    workgroupBarrier();
  }
  if (example < batch && u < 120) {
    let preActivation: f32 = sum1 + fc1Bias[u32(u)];
    fc1PreActivation[u32(120 * example + u)] = preActivation;
    fc1Output[u32(120 * example + u)] = select(0.0, preActivation, preActivation > 0.0);
  }
}
// ==== computeFc2Output ====
// Layer fc2: weighted sum of the inputs.
// x^7[j] = sum_{i=0..119} w^7[i,j] * O^6[i] + b^7[j]
// Then, from the value just computed, in the same invocation:
// Layer fc2: relu activation.
// O^7[j] = relu(x^7[j])
// One workgroup computes 8 x 8 elements of fc2/preActivation and fc2/output,
// 8 examples by 8 j: each pass over 32 terms of the sum
// loads them for its rows and its columns into workgroup memory, which they share.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> fc1Output: array<f32>;
@group(0) @binding(2) var<storage, read> fc2Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> fc2Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> fc2PreActivation: array<f32>;
@group(0) @binding(5) var<storage, read_write> fc2Output: array<f32>;

var<workgroup> rowTerms: array<f32, 264>;
var<workgroup> columnTerms: array<f32, 256>;

@compute @workgroup_size(64)
fn computeFc2Output(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let batch = i32(params.batch);
  let tile = i32(group.x + 65535u * group.y);
  let rowInTile = i32(slot) / 8;
  let columnInTile = i32(slot) % 8;
  let example = tile / 11 * 8 + rowInTile;
  let j = tile % 11 * 8 + columnInTile;
  var sum1: f32 = 0.0;
  for (var start: i32 = 0; start <= 119; start += 32) {
    for (var part: i32 = 0; part < 4; part++) {
      {
        let i = start + columnInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (example < batch && i <= 119) {
          loaded = fc1Output[u32(120 * example + i)];
        }
        rowTerms[rowInTile * 33 + columnInTile + 8 * part] = loaded;
      }
      {
        let i = start + rowInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (j < 84 && i <= 119) {
          loaded = fc2Kernel[u32(84 * i + j)];
        }
        columnTerms[(rowInTile + 8 * part) * 8 + columnInTile] = loaded;
      }
    }
    workgroupBarrier();
    for (var term: i32 = 0; term < 32; term++) {
      sum1 += columnTerms[term * 8 + columnInTile] * rowTerms[rowInTile * 33 + term];
    }
    workgroupBarrier();
  }
  if (example < batch && j < 84) {
    let preActivation: f32 = sum1 + fc2Bias[u32(j)];
    fc2PreActivation[u32(84 * example + j)] = preActivation;
    fc2Output[u32(84 * example + j)] = select(0.0, preActivation, preActivation > 0.0);
  }
}
// ==== computeOutPreActivation ====
// Layer out: weighted sum of the inputs.
// x^8[j] = sum_{i=0..83} w^8[i,j] * O^7[i] + b^8[j]
// One workgroup computes 8 x 8 elements of out/preActivation,
// 8 examples by 8 j: each pass over 32 terms of the sum
// loads them for its rows and its columns into workgroup memory, which they share.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> fc2Output: array<f32>;
@group(0) @binding(2) var<storage, read> outKernel: array<f32>;
@group(0) @binding(3) var<storage, read> outBias: array<f32>;
@group(0) @binding(4) var<storage, read_write> outPreActivation: array<f32>;

var<workgroup> rowTerms: array<f32, 264>;
var<workgroup> columnTerms: array<f32, 256>;

@compute @workgroup_size(64)
fn computeOutPreActivation(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let batch = i32(params.batch);
  let tile = i32(group.x + 65535u * group.y);
  let rowInTile = i32(slot) / 8;
  let columnInTile = i32(slot) % 8;
  let example = tile / 2 * 8 + rowInTile;
  let j = tile % 2 * 8 + columnInTile;
  var sum1: f32 = 0.0;
  for (var start: i32 = 0; start <= 83; start += 32) {
    for (var part: i32 = 0; part < 4; part++) {
      {
        let i = start + columnInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (example < batch && i <= 83) {
          loaded = fc2Output[u32(84 * example + i)];
        }
        rowTerms[rowInTile * 33 + columnInTile + 8 * part] = loaded;
      }
      {
        let i = start + rowInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (j < 10 && i <= 83) {
          loaded = outKernel[u32(10 * i + j)];
        }
        columnTerms[(rowInTile + 8 * part) * 8 + columnInTile] = loaded;
      }
    }
    workgroupBarrier();
    for (var term: i32 = 0; term < 32; term++) {
      sum1 += columnTerms[term * 8 + columnInTile] * rowTerms[rowInTile * 33 + term];
    }
    workgroupBarrier();
  }
  if (example < batch && j < 10) {
    outPreActivation[u32(10 * example + j)] = sum1 + outBias[u32(j)];
  }
}
// ==== computeOutSoftmaxShift ====
// Layer out: softmax shift, the largest logit.
// s^8 = max_{j2} x^8[j2]
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
  for (var j2: i32 = 0; j2 <= 9; j2++) {
    max1 = max(max1, outPreActivation[u32(10 * example + j2)]);
  }
  outSoftmaxShift[u32(example)] = max1;
}
// ==== computeOutSoftmaxExp ====
// Layer out: shifted exponentials.
// u^8[j] = exp(x^8[j] - s^8)
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
  if (flat >= 10 * batch) {
    return;
  }
  let example = flat / 10;
  let j = flat % 10;
  let u1: f32 = outPreActivation[u32(10 * example + j)] + -outSoftmaxShift[u32(example)];
  outSoftmaxExp[u32(10 * example + j)] = exp(u1);
}
// ==== computeOutSoftmaxSum ====
// Layer out: softmax normaliser.
// Z^8 = sum_{j2=0..9} u^8[j2]
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
  for (var j2: i32 = 0; j2 <= 9; j2++) {
    sum1 += outSoftmaxExp[u32(10 * example + j2)];
  }
  outSoftmaxSum[u32(example)] = sum1;
}
// ==== computeOutOutput ====
// Layer out: softmax activation.
// y[j] = u^8[j] / Z^8
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
  if (flat >= 10 * batch) {
    return;
  }
  let example = flat / 10;
  let j = flat % 10;
  outOutput[u32(10 * example + j)] = outSoftmaxExp[u32(10 * example + j)] / outSoftmaxSum[u32(example)];
}
// ==== computeLoss ====
// loss of one example.
// L = -(sum_{j=0..9} t[j] * (x^8[j] - s^8 - log(Z^8)))
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
  for (var j: i32 = 0; j <= 9; j++) {
    sum1 += t[u32(10 * example + j)] * (outPreActivation[u32(10 * example + j)] + -outSoftmaxShift[u32(example)] + -log(outSoftmaxSum[u32(example)]));
  }
  loss[u32(example)] = -sum1;
}
// ==== computeOutPreActivationGrad ====
// Layer out: gradient of the loss with respect to out/preActivation.
// delta^8[j'] = y[j'] - t[j']
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
  if (flat >= 10 * batch) {
    return;
  }
  let example = flat / 10;
  let j_ = flat % 10;
  outPreActivationGrad[u32(10 * example + j_)] = outOutput[u32(10 * example + j_)] + -t[u32(10 * example + j_)];
}
// ==== computeFc2PreActivationGrad ====
// Layer fc2: gradient of the loss with respect to fc2/output.
// dL/dO^7[j'] = sum_{j=0..9} delta^8[j] * w^8[j',j]
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, from the value just computed, in the same invocation:
// Layer fc2: gradient of the loss with respect to fc2/preActivation.
// delta^7[j'] = dL/dO^7[j'] * [x^7[j'] > 0]
// Derived by chain rule, substitute, scalar rule, access derivative, Kronecker delta elimination, bounds.
// One invocation computes one element of grad(fc2/preActivation) for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> fc2PreActivation: array<f32>;
@group(0) @binding(2) var<storage, read> outKernel: array<f32>;
@group(0) @binding(3) var<storage, read> outPreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> fc2PreActivationGrad: array<f32>;

@compute @workgroup_size(64)
fn computeFc2PreActivationGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 84 * batch) {
    return;
  }
  let example = flat / 84;
  let j_ = flat % 84;
  var sum1: f32 = 0.0;
  for (var j: i32 = 0; j <= 9; j++) {
    sum1 += outPreActivationGrad[u32(10 * example + j)] * outKernel[u32(10 * j_ + j)];
  }
  let outputGrad: f32 = sum1;
  fc2PreActivationGrad[u32(84 * example + j_)] = outputGrad * select(0.0, 1.0, fc2PreActivation[u32(84 * example + j_)] > 0.0);
}
// ==== computeFc1PreActivationGrad ====
// Layer fc1: gradient of the loss with respect to fc1/output.
// dL/dO^6[u'] = sum_{j=0..83} delta^7[j] * w^7[u',j]
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, from the value just computed, in the same invocation:
// Layer fc1: gradient of the loss with respect to fc1/preActivation.
// delta^6[u'] = dL/dO^6[u'] * [x^6[u'] > 0]
// Derived by chain rule, substitute, scalar rule, access derivative, Kronecker delta elimination, bounds.
// One workgroup computes 8 x 8 elements of grad(fc1/preActivation),
// 8 examples by 8 u': each pass over 32 terms of the sum
// loads them for its rows and its columns into workgroup memory, which they share.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> fc1PreActivation: array<f32>;
@group(0) @binding(2) var<storage, read> fc2Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> fc2PreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> fc1PreActivationGrad: array<f32>;

var<workgroup> rowTerms: array<f32, 264>;
var<workgroup> columnTerms: array<f32, 256>;

@compute @workgroup_size(64)
fn computeFc1PreActivationGrad(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let batch = i32(params.batch);
  let tile = i32(group.x + 65535u * group.y);
  let rowInTile = i32(slot) / 8;
  let columnInTile = i32(slot) % 8;
  let example = tile / 15 * 8 + rowInTile;
  let u_ = tile % 15 * 8 + columnInTile;
  var sum1: f32 = 0.0;
  for (var start: i32 = 0; start <= 83; start += 32) {
    for (var part: i32 = 0; part < 4; part++) {
      {
        let j = start + columnInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (example < batch && j <= 83) {
          loaded = fc2PreActivationGrad[u32(84 * example + j)];
        }
        rowTerms[rowInTile * 33 + columnInTile + 8 * part] = loaded;
      }
      {
        let j = start + rowInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (u_ < 120 && j <= 83) {
          loaded = fc2Kernel[u32(84 * u_ + j)];
        }
        columnTerms[(rowInTile + 8 * part) * 8 + columnInTile] = loaded;
      }
    }
    workgroupBarrier();
    for (var term: i32 = 0; term < 32; term++) {
      sum1 += rowTerms[rowInTile * 33 + term] * columnTerms[term * 8 + columnInTile];
    }
    workgroupBarrier();
  }
  if (example < batch && u_ < 120) {
    let outputGrad: f32 = sum1;
    fc1PreActivationGrad[u32(120 * example + u_)] = outputGrad * select(0.0, 1.0, fc1PreActivation[u32(120 * example + u_)] > 0.0);
  }
}
// ==== computePool2OutputGrad ====
// Layer pool2: gradient of the loss with respect to pool2/output.
// dL/dO^4[i',j',c'] = sum_{u=0..119} delta^6[u] * w^6[i',j',c',u]
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// One workgroup computes 8 x 8 elements of grad(pool2/output),
// 8 examples by 8 i'j'c': each pass over 32 terms of the sum
// loads them for its rows and its columns into workgroup memory, which they share.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> fc1Kernel: array<f32>;
@group(0) @binding(2) var<storage, read> fc1PreActivationGrad: array<f32>;
@group(0) @binding(3) var<storage, read_write> pool2OutputGrad: array<f32>;

var<workgroup> rowTerms: array<f32, 264>;
var<workgroup> columnTerms: array<f32, 256>;

@compute @workgroup_size(64)
fn computePool2OutputGrad(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let batch = i32(params.batch);
  let tile = i32(group.x + 65535u * group.y);
  let rowInTile = i32(slot) / 8;
  let columnInTile = i32(slot) % 8;
  let example = tile / 50 * 8 + rowInTile;
  let i_j_c_ = tile % 50 * 8 + columnInTile;
  var sum1: f32 = 0.0;
  for (var start: i32 = 0; start <= 119; start += 32) {
    for (var part: i32 = 0; part < 4; part++) {
      {
        let u = start + columnInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (example < batch && u <= 119) {
          loaded = fc1PreActivationGrad[u32(120 * example + u)];
        }
        rowTerms[rowInTile * 33 + columnInTile + 8 * part] = loaded;
      }
      {
        let u = start + rowInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (i_j_c_ < 400 && u <= 119) {
          loaded = fc1Kernel[u32(120 * i_j_c_ + u)];
        }
        columnTerms[(rowInTile + 8 * part) * 8 + columnInTile] = loaded;
      }
    }
    workgroupBarrier();
    for (var term: i32 = 0; term < 32; term++) {
      sum1 += rowTerms[rowInTile * 33 + term] * columnTerms[term * 8 + columnInTile];
    }
    workgroupBarrier();
  }
  if (example < batch && i_j_c_ < 400) {
    pool2OutputGrad[u32(400 * example + i_j_c_)] = sum1;
  }
}
// ==== computePool2Argmax ====
// Layer pool2: the position of the first maximum in each window, kept for the gradient.
// p^4[i,j,c] = argmax_{m2,n2} O^3[2*i + m2,2*j + n2,c]
// One invocation computes one element of pool2/argmax for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv2Output: array<f32>;
@group(0) @binding(2) var<storage, read_write> pool2Argmax: array<f32>;

@compute @workgroup_size(64)
fn computePool2Argmax(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 400 * batch) {
    return;
  }
  let example = flat / 400;
  let i = (flat / 80) % 5;
  let j = (flat / 16) % 5;
  let c = flat % 16;
  var largest1: f32 = -3.402823e38;
  var first2: f32 = -1.0;
  for (var m2: i32 = 0; m2 <= 1; m2++) {
    for (var n2: i32 = 0; n2 <= 1; n2++) {
      let larger1 = conv2Output[u32(1600 * example + 320 * i + 160 * m2 + 32 * j + 16 * n2 + c)] > largest1;
      first2 = select(first2, f32(2 * m2 + n2), larger1);
      largest1 = select(largest1, conv2Output[u32(1600 * example + 320 * i + 160 * m2 + 32 * j + 16 * n2 + c)], larger1);
    }
  }
  pool2Argmax[u32(400 * example + 80 * i + 16 * j + c)] = first2;
}
// ==== computeConv2PreActivationGrad ====
// Layer conv2: gradient of the loss with respect to conv2/output.
// dL/dO^3[i',j',c'] = sum_{i=max(ceil((i' - 1)/2), 0)..min(floor((i')/2), 4)} sum_{j=max(ceil((j' - 1)/2), 0)..min(floor((j')/2), 4)} dL/dO^4[i,j,c'] * [2*i' + j' - 4*i - 2*j = p^4[i,j,c']]
// Derived by chain rule, substitute, scalar rule, access derivative, Kronecker delta elimination, bounds.
// Then, from the value just computed, in the same invocation:
// Layer conv2: gradient of the loss with respect to conv2/preActivation.
// delta^3[i',j',c'] = dL/dO^3[i',j',c'] * [x^3[i',j',c'] > 0]
// Derived by chain rule, substitute, scalar rule, access derivative, Kronecker delta elimination, bounds.
// One invocation computes one element of grad(conv2/preActivation) for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv2PreActivation: array<f32>;
@group(0) @binding(2) var<storage, read> pool2OutputGrad: array<f32>;
@group(0) @binding(3) var<storage, read_write> conv2PreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read> pool2Argmax: array<f32>;

// floor(a / b) for b > 0.
fn floor_div(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(q, q - 1, a % b != 0 && a < 0);
}

// ceil(a / b) for b > 0.
fn ceil_div(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(q, q + 1, a % b != 0 && a > 0);
}

@compute @workgroup_size(64)
fn computeConv2PreActivationGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 1600 * batch) {
    return;
  }
  let example = flat / 1600;
  let i_ = (flat / 160) % 10;
  let j_ = (flat / 16) % 10;
  let c_ = flat % 16;
  var sum1: f32 = 0.0;
  let iLast = min(floor_div(i_, 2), 4);
  for (var i: i32 = max(ceil_div(i_ - 1, 2), 0); i <= iLast; i++) {
    let jLast = min(floor_div(j_, 2), 4);
    for (var j: i32 = max(ceil_div(j_ - 1, 2), 0); j <= jLast; j++) {
      sum1 += pool2OutputGrad[u32(400 * example + 80 * i + 16 * j + c_)] * select(0.0, 1.0, pool2Argmax[u32(400 * example + 80 * i + 16 * j + c_)] == f32(2 * i_ + j_ - 4 * i - 2 * j));
    }
  }
  let outputGrad: f32 = sum1;
  conv2PreActivationGrad[u32(1600 * example + 160 * i_ + 16 * j_ + c_)] = outputGrad * select(0.0, 1.0, conv2PreActivation[u32(1600 * example + 160 * i_ + 16 * j_ + c_)] > 0.0);
}
// ==== computePool1OutputGrad ====
// Layer pool1: gradient of the loss with respect to pool1/output.
// dL/dO^2[i',j',c'] = sum_{c=0..15} sum_{m=max(i' - 9, 0)..min(i', 4)} sum_{n=max(j' - 9, 0)..min(j', 4)} delta^3[i' - m,j' - n,c] * w^3[m,n,c',c]
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// One invocation computes one element of grad(pool1/output) for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv2Kernel: array<f32>;
@group(0) @binding(2) var<storage, read> conv2PreActivationGrad: array<f32>;
@group(0) @binding(3) var<storage, read_write> pool1OutputGrad: array<f32>;

@compute @workgroup_size(64)
fn computePool1OutputGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 1176 * batch) {
    return;
  }
  let example = flat / 1176;
  let i_ = (flat / 84) % 14;
  let j_ = (flat / 6) % 14;
  let c_ = flat % 6;
  var sum1: f32 = 0.0;
  let mLast = min(i_, 4);
  for (var m: i32 = max(i_ - 9, 0); m <= mLast; m++) {
    let nLast = min(j_, 4);
    for (var n: i32 = max(j_ - 9, 0); n <= nLast; n++) {
      for (var c: i32 = 0; c <= 15; c++) {
        sum1 += conv2PreActivationGrad[u32(1600 * example + 160 * i_ + 16 * j_ + c - 160 * m - 16 * n)] * conv2Kernel[u32(480 * m + 96 * n + 16 * c_ + c)];
      }
    }
  }
  pool1OutputGrad[u32(1176 * example + 84 * i_ + 6 * j_ + c_)] = sum1;
}
// ==== computePool1Argmax ====
// Layer pool1: the position of the first maximum in each window, kept for the gradient.
// p^2[i,j,c] = argmax_{m2,n2} O^1[2*i + m2,2*j + n2,c]
// One invocation computes one element of pool1/argmax for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv1Output: array<f32>;
@group(0) @binding(2) var<storage, read_write> pool1Argmax: array<f32>;

@compute @workgroup_size(64)
fn computePool1Argmax(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 1176 * batch) {
    return;
  }
  let example = flat / 1176;
  let i = (flat / 84) % 14;
  let j = (flat / 6) % 14;
  let c = flat % 6;
  var largest1: f32 = -3.402823e38;
  var first2: f32 = -1.0;
  for (var m2: i32 = 0; m2 <= 1; m2++) {
    for (var n2: i32 = 0; n2 <= 1; n2++) {
      let larger1 = conv1Output[u32(4704 * example + 336 * i + 168 * m2 + 12 * j + 6 * n2 + c)] > largest1;
      first2 = select(first2, f32(2 * m2 + n2), larger1);
      largest1 = select(largest1, conv1Output[u32(4704 * example + 336 * i + 168 * m2 + 12 * j + 6 * n2 + c)], larger1);
    }
  }
  pool1Argmax[u32(1176 * example + 84 * i + 6 * j + c)] = first2;
}
// ==== computeConv1PreActivationGrad ====
// Layer conv1: gradient of the loss with respect to conv1/output.
// dL/dO^1[i',j',c'] = sum_{i=max(ceil((i' - 1)/2), 0)..min(floor((i')/2), 13)} sum_{j=max(ceil((j' - 1)/2), 0)..min(floor((j')/2), 13)} dL/dO^2[i,j,c'] * [2*i' + j' - 4*i - 2*j = p^2[i,j,c']]
// Derived by chain rule, substitute, scalar rule, access derivative, Kronecker delta elimination, bounds.
// Then, from the value just computed, in the same invocation:
// Layer conv1: gradient of the loss with respect to conv1/preActivation.
// delta^1[i',j',c'] = dL/dO^1[i',j',c'] * [x^1[i',j',c'] > 0]
// Derived by chain rule, substitute, scalar rule, access derivative, Kronecker delta elimination, bounds.
// One invocation computes one element of grad(conv1/preActivation) for one example.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> conv1PreActivation: array<f32>;
@group(0) @binding(2) var<storage, read> pool1OutputGrad: array<f32>;
@group(0) @binding(3) var<storage, read_write> conv1PreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read> pool1Argmax: array<f32>;

// floor(a / b) for b > 0.
fn floor_div(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(q, q - 1, a % b != 0 && a < 0);
}

// ceil(a / b) for b > 0.
fn ceil_div(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(q, q + 1, a % b != 0 && a > 0);
}

@compute @workgroup_size(64)
fn computeConv1PreActivationGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 4704 * batch) {
    return;
  }
  let example = flat / 4704;
  let i_ = (flat / 168) % 28;
  let j_ = (flat / 6) % 28;
  let c_ = flat % 6;
  var sum1: f32 = 0.0;
  let iLast = min(floor_div(i_, 2), 13);
  for (var i: i32 = max(ceil_div(i_ - 1, 2), 0); i <= iLast; i++) {
    let jLast = min(floor_div(j_, 2), 13);
    for (var j: i32 = max(ceil_div(j_ - 1, 2), 0); j <= jLast; j++) {
      sum1 += pool1OutputGrad[u32(1176 * example + 84 * i + 6 * j + c_)] * select(0.0, 1.0, pool1Argmax[u32(1176 * example + 84 * i + 6 * j + c_)] == f32(2 * i_ + j_ - 4 * i - 2 * j));
    }
  }
  let outputGrad: f32 = sum1;
  conv1PreActivationGrad[u32(4704 * example + 168 * i_ + 6 * j_ + c_)] = outputGrad * select(0.0, 1.0, conv1PreActivation[u32(4704 * example + 168 * i_ + 6 * j_ + c_)] > 0.0);
}
// ==== computeConv1KernelGrad ====
// Layer conv1: gradient of the loss with respect to conv1/kernel.
// dL/dw^1[m',n',c'] = sum_{i=max(-m' + 2, 0)..min(-m' + 29, 27)} sum_{j=max(-n' + 2, 0)..min(-n' + 29, 27)} delta^1[i,j,c'] * x[i + m' - 2,j + n' - 2]
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on conv1/kernel: w <- w - learningRate * dL/dw.
// One workgroup computes 4 elements of grad(conv1/kernel), 16 lanes each: a lane
// sums every 16th example, then the first lane adds up the partial sums.

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
  let position = i32(group.x + 65535u * group.y) * 4 + i32(slot) % 4;
  let flat = min(position, 149);
  let lane = i32(slot) / 4;
  let batch = i32(params.batch);
  let m_ = flat / 30;
  let n_ = (flat / 6) % 5;
  let k_ = 0;
  let c_ = flat % 6;
  var total: f32 = 0.0;
  for (var example: i32 = lane; example < batch; example += 16) {
    var sum1: f32 = 0.0;
    let iLast = min(-m_ + 29, 27);
    for (var i: i32 = max(-m_ + 2, 0); i <= iLast; i++) {
      let jLast = min(-n_ + 29, 27);
      for (var j: i32 = max(-n_ + 2, 0); j <= jLast; j++) {
        sum1 += conv1PreActivationGrad[u32(4704 * example + 168 * i + 6 * j + c_)] * x[u32(784 * example + 28 * i + 28 * m_ + j + n_ + k_ - 58)];
      }
    }
    total += sum1;
  }

  partialSums[slot] = total;
  workgroupBarrier();
  if (lane == 0 && position < 150) {
    for (var otherLane: u32 = 1u; otherLane < 16u; otherLane++) {
      total += partialSums[slot + 4u * otherLane];
    }
    conv1KernelGrad[u32(30 * m_ + 6 * n_ + 6 * k_ + c_)] = total / f32(batch);
    if (params.update == 1u) {
      conv1Kernel[u32(30 * m_ + 6 * n_ + 6 * k_ + c_)] = conv1Kernel[u32(30 * m_ + 6 * n_ + 6 * k_ + c_)] - params.learningRate * conv1KernelGrad[u32(30 * m_ + 6 * n_ + 6 * k_ + c_)];
    }
  }
}
// ==== computeConv1BiasGrad ====
// Layer conv1: gradient of the loss with respect to conv1/bias.
// dL/db^1[c'] = sum_{i=0..27} sum_{j=0..27} delta^1[i,j,c']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on conv1/bias: w <- w - learningRate * dL/dw.
// One workgroup computes 4 elements of grad(conv1/bias), 16 lanes each: a lane
// sums every 16th example, then the first lane adds up the partial sums.

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
  let position = i32(group.x + 65535u * group.y) * 4 + i32(slot) % 4;
  let flat = min(position, 5);
  let lane = i32(slot) / 4;
  let batch = i32(params.batch);
  let c_ = flat;
  var total: f32 = 0.0;
  for (var example: i32 = lane; example < batch; example += 16) {
    var sum1: f32 = 0.0;
    for (var i: i32 = 0; i <= 27; i++) {
      for (var j: i32 = 0; j <= 27; j++) {
        sum1 += conv1PreActivationGrad[u32(4704 * example + 168 * i + 6 * j + c_)];
      }
    }
    total += sum1;
  }

  partialSums[slot] = total;
  workgroupBarrier();
  if (lane == 0 && position < 6) {
    for (var otherLane: u32 = 1u; otherLane < 16u; otherLane++) {
      total += partialSums[slot + 4u * otherLane];
    }
    conv1BiasGrad[u32(c_)] = total / f32(batch);
    if (params.update == 1u) {
      conv1Bias[u32(c_)] = conv1Bias[u32(c_)] - params.learningRate * conv1BiasGrad[u32(c_)];
    }
  }
}
// ==== computeConv2KernelGrad ====
// Layer conv2: gradient of the loss with respect to conv2/kernel.
// dL/dw^3[m',n',k',c'] = sum_{i=0..9} sum_{j=0..9} delta^3[i,j,c'] * O^2[i + m',j + n',k']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on conv2/kernel: w <- w - learningRate * dL/dw.
// One workgroup computes 4 elements of grad(conv2/kernel), 16 lanes each: a lane
// sums every 16th example, then the first lane adds up the partial sums.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pool1Output: array<f32>;
@group(0) @binding(2) var<storage, read_write> conv2Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> conv2PreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> conv2KernelGrad: array<f32>;

var<workgroup> partialSums: array<f32, 64>;

@compute @workgroup_size(64)
fn computeConv2KernelGrad(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let position = i32(group.x + 65535u * group.y) * 4 + i32(slot) % 4;
  let flat = min(position, 2399);
  let lane = i32(slot) / 4;
  let batch = i32(params.batch);
  let m_ = flat / 480;
  let n_ = (flat / 96) % 5;
  let k_ = (flat / 16) % 6;
  let c_ = flat % 16;
  var total: f32 = 0.0;
  for (var example: i32 = lane; example < batch; example += 16) {
    var sum1: f32 = 0.0;
    for (var i: i32 = 0; i <= 9; i++) {
      for (var j: i32 = 0; j <= 9; j++) {
        sum1 += conv2PreActivationGrad[u32(1600 * example + 160 * i + 16 * j + c_)] * pool1Output[u32(1176 * example + 84 * i + 84 * m_ + 6 * j + 6 * n_ + k_)];
      }
    }
    total += sum1;
  }

  partialSums[slot] = total;
  workgroupBarrier();
  if (lane == 0 && position < 2400) {
    for (var otherLane: u32 = 1u; otherLane < 16u; otherLane++) {
      total += partialSums[slot + 4u * otherLane];
    }
    conv2KernelGrad[u32(480 * m_ + 96 * n_ + 16 * k_ + c_)] = total / f32(batch);
    if (params.update == 1u) {
      conv2Kernel[u32(480 * m_ + 96 * n_ + 16 * k_ + c_)] = conv2Kernel[u32(480 * m_ + 96 * n_ + 16 * k_ + c_)] - params.learningRate * conv2KernelGrad[u32(480 * m_ + 96 * n_ + 16 * k_ + c_)];
    }
  }
}
// ==== computeConv2BiasGrad ====
// Layer conv2: gradient of the loss with respect to conv2/bias.
// dL/db^3[c'] = sum_{i=0..9} sum_{j=0..9} delta^3[i,j,c']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on conv2/bias: w <- w - learningRate * dL/dw.
// One workgroup computes 4 elements of grad(conv2/bias), 16 lanes each: a lane
// sums every 16th example, then the first lane adds up the partial sums.

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
  let position = i32(group.x + 65535u * group.y) * 4 + i32(slot) % 4;
  let flat = min(position, 15);
  let lane = i32(slot) / 4;
  let batch = i32(params.batch);
  let c_ = flat;
  var total: f32 = 0.0;
  for (var example: i32 = lane; example < batch; example += 16) {
    var sum1: f32 = 0.0;
    for (var i: i32 = 0; i <= 9; i++) {
      for (var j: i32 = 0; j <= 9; j++) {
        sum1 += conv2PreActivationGrad[u32(1600 * example + 160 * i + 16 * j + c_)];
      }
    }
    total += sum1;
  }

  partialSums[slot] = total;
  workgroupBarrier();
  if (lane == 0 && position < 16) {
    for (var otherLane: u32 = 1u; otherLane < 16u; otherLane++) {
      total += partialSums[slot + 4u * otherLane];
    }
    conv2BiasGrad[u32(c_)] = total / f32(batch);
    if (params.update == 1u) {
      conv2Bias[u32(c_)] = conv2Bias[u32(c_)] - params.learningRate * conv2BiasGrad[u32(c_)];
    }
  }
}
// ==== computeFc1KernelGrad ====
// Layer fc1: gradient of the loss with respect to fc1/kernel.
// dL/dw^6[p',q',r',u'] = delta^6[u'] * O^4[p',q',r']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on fc1/kernel: w <- w - learningRate * dL/dw.
// One workgroup computes 8 x 8 elements of grad(fc1/kernel),
// 8 p'q'r' by 8 u': each pass over 32 terms of the sum
// loads them for its rows and its columns into workgroup memory, which they share.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pool2Output: array<f32>;
@group(0) @binding(2) var<storage, read_write> fc1Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> fc1PreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> fc1KernelGrad: array<f32>;

var<workgroup> rowTerms: array<f32, 264>;
var<workgroup> columnTerms: array<f32, 256>;

@compute @workgroup_size(64)
fn computeFc1KernelGrad(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let batch = i32(params.batch);
  let tile = i32(group.x + 65535u * group.y);
  let rowInTile = i32(slot) / 8;
  let columnInTile = i32(slot) % 8;
  let p_q_r_ = tile / 15 * 8 + rowInTile;
  let u_ = tile % 15 * 8 + columnInTile;
  var total: f32 = 0.0;
  for (var start: i32 = 0; start <= batch - 1; start += 32) {
    for (var part: i32 = 0; part < 4; part++) {
      {
        let example = start + columnInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (p_q_r_ < 400 && example <= batch - 1) {
          loaded = pool2Output[u32(400 * example + p_q_r_)];
        }
        rowTerms[rowInTile * 33 + columnInTile + 8 * part] = loaded;
      }
      {
        let example = start + rowInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (u_ < 120 && example <= batch - 1) {
          loaded = fc1PreActivationGrad[u32(120 * example + u_)];
        }
        columnTerms[(rowInTile + 8 * part) * 8 + columnInTile] = loaded;
      }
    }
    workgroupBarrier();
    for (var term: i32 = 0; term < 32; term++) {
      total += columnTerms[term * 8 + columnInTile] * rowTerms[rowInTile * 33 + term];
    }
    workgroupBarrier();
  }
  if (p_q_r_ < 400 && u_ < 120) {
    fc1KernelGrad[u32(120 * p_q_r_ + u_)] = total / f32(batch);
    if (params.update == 1u) {
      fc1Kernel[u32(120 * p_q_r_ + u_)] = fc1Kernel[u32(120 * p_q_r_ + u_)] - params.learningRate * fc1KernelGrad[u32(120 * p_q_r_ + u_)];
    }
  }
}
// ==== computeFc1BiasGrad ====
// Layer fc1: gradient of the loss with respect to fc1/bias.
// dL/db^6[u'] = delta^6[u']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on fc1/bias: w <- w - learningRate * dL/dw.
// One invocation computes one element of grad(fc1/bias).

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> fc1Bias: array<f32>;
@group(0) @binding(2) var<storage, read> fc1PreActivationGrad: array<f32>;
@group(0) @binding(3) var<storage, read_write> fc1BiasGrad: array<f32>;

@compute @workgroup_size(64)
fn computeFc1BiasGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 120) {
    return;
  }
  let u_ = flat;
  var total: f32 = 0.0;
  for (var example: i32 = 0; example < batch; example++) {
    total += fc1PreActivationGrad[u32(120 * example + u_)];
  }
  fc1BiasGrad[u32(u_)] = total / f32(batch);
  if (params.update == 1u) {
    fc1Bias[u32(u_)] = fc1Bias[u32(u_)] - params.learningRate * fc1BiasGrad[u32(u_)];
  }
}
// ==== computeFc2KernelGrad ====
// Layer fc2: gradient of the loss with respect to fc2/kernel.
// dL/dw^7[i',j'] = delta^7[j'] * O^6[i']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on fc2/kernel: w <- w - learningRate * dL/dw.
// One workgroup computes 8 x 8 elements of grad(fc2/kernel),
// 8 i' by 8 j': each pass over 32 terms of the sum
// loads them for its rows and its columns into workgroup memory, which they share.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> fc1Output: array<f32>;
@group(0) @binding(2) var<storage, read_write> fc2Kernel: array<f32>;
@group(0) @binding(3) var<storage, read> fc2PreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> fc2KernelGrad: array<f32>;

var<workgroup> rowTerms: array<f32, 264>;
var<workgroup> columnTerms: array<f32, 256>;

@compute @workgroup_size(64)
fn computeFc2KernelGrad(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let batch = i32(params.batch);
  let tile = i32(group.x + 65535u * group.y);
  let rowInTile = i32(slot) / 8;
  let columnInTile = i32(slot) % 8;
  let i_ = tile / 11 * 8 + rowInTile;
  let j_ = tile % 11 * 8 + columnInTile;
  var total: f32 = 0.0;
  for (var start: i32 = 0; start <= batch - 1; start += 32) {
    for (var part: i32 = 0; part < 4; part++) {
      {
        let example = start + columnInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (i_ < 120 && example <= batch - 1) {
          loaded = fc1Output[u32(120 * example + i_)];
        }
        rowTerms[rowInTile * 33 + columnInTile + 8 * part] = loaded;
      }
      {
        let example = start + rowInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (j_ < 84 && example <= batch - 1) {
          loaded = fc2PreActivationGrad[u32(84 * example + j_)];
        }
        columnTerms[(rowInTile + 8 * part) * 8 + columnInTile] = loaded;
      }
    }
    workgroupBarrier();
    for (var term: i32 = 0; term < 32; term++) {
      total += columnTerms[term * 8 + columnInTile] * rowTerms[rowInTile * 33 + term];
    }
    workgroupBarrier();
  }
  if (i_ < 120 && j_ < 84) {
    fc2KernelGrad[u32(84 * i_ + j_)] = total / f32(batch);
    if (params.update == 1u) {
      fc2Kernel[u32(84 * i_ + j_)] = fc2Kernel[u32(84 * i_ + j_)] - params.learningRate * fc2KernelGrad[u32(84 * i_ + j_)];
    }
  }
}
// ==== computeFc2BiasGrad ====
// Layer fc2: gradient of the loss with respect to fc2/bias.
// dL/db^7[j'] = delta^7[j']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds.
// Then, in a training step, gradient descent on fc2/bias: w <- w - learningRate * dL/dw.
// One invocation computes one element of grad(fc2/bias).

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> fc2Bias: array<f32>;
@group(0) @binding(2) var<storage, read> fc2PreActivationGrad: array<f32>;
@group(0) @binding(3) var<storage, read_write> fc2BiasGrad: array<f32>;

@compute @workgroup_size(64)
fn computeFc2BiasGrad(@builtin(global_invocation_id) id: vec3<u32>) {
  let flat = i32(id.x + 4194240u * id.y);
  let batch = i32(params.batch);
  if (flat >= 84) {
    return;
  }
  let j_ = flat;
  var total: f32 = 0.0;
  for (var example: i32 = 0; example < batch; example++) {
    total += fc2PreActivationGrad[u32(84 * example + j_)];
  }
  fc2BiasGrad[u32(j_)] = total / f32(batch);
  if (params.update == 1u) {
    fc2Bias[u32(j_)] = fc2Bias[u32(j_)] - params.learningRate * fc2BiasGrad[u32(j_)];
  }
}
// ==== computeOutKernelGrad ====
// Layer out: gradient of the loss with respect to out/kernel.
// dL/dw^8[i',j'] = delta^8[j'] * O^7[i']
// Derived by chain rule, definition of delta, substitute, linearity, access derivative, Kronecker delta elimination, bounds, rename.
// Then, in a training step, gradient descent on out/kernel: w <- w - learningRate * dL/dw.
// One workgroup computes 8 x 8 elements of grad(out/kernel),
// 8 i' by 8 j': each pass over 32 terms of the sum
// loads them for its rows and its columns into workgroup memory, which they share.

struct Params {
  batch: u32,
  learningRate: f32,
  update: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> fc2Output: array<f32>;
@group(0) @binding(2) var<storage, read_write> outKernel: array<f32>;
@group(0) @binding(3) var<storage, read> outPreActivationGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> outKernelGrad: array<f32>;

var<workgroup> rowTerms: array<f32, 264>;
var<workgroup> columnTerms: array<f32, 256>;

@compute @workgroup_size(64)
fn computeOutKernelGrad(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) slot: u32,
) {
  let batch = i32(params.batch);
  let tile = i32(group.x + 65535u * group.y);
  let rowInTile = i32(slot) / 8;
  let columnInTile = i32(slot) % 8;
  let i_ = tile / 2 * 8 + rowInTile;
  let j_ = tile % 2 * 8 + columnInTile;
  var total: f32 = 0.0;
  for (var start: i32 = 0; start <= batch - 1; start += 32) {
    for (var part: i32 = 0; part < 4; part++) {
      {
        let example = start + columnInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (i_ < 84 && example <= batch - 1) {
          loaded = fc2Output[u32(84 * example + i_)];
        }
        rowTerms[rowInTile * 33 + columnInTile + 8 * part] = loaded;
      }
      {
        let example = start + rowInTile + 8 * part;
        var loaded: f32 = 0.0;
        if (j_ < 10 && example <= batch - 1) {
          loaded = outPreActivationGrad[u32(10 * example + j_)];
        }
        columnTerms[(rowInTile + 8 * part) * 8 + columnInTile] = loaded;
      }
    }
    workgroupBarrier();
    for (var term: i32 = 0; term < 32; term++) {
      total += columnTerms[term * 8 + columnInTile] * rowTerms[rowInTile * 33 + term];
    }
    workgroupBarrier();
  }
  if (i_ < 84 && j_ < 10) {
    outKernelGrad[u32(10 * i_ + j_)] = total / f32(batch);
    if (params.update == 1u) {
      outKernel[u32(10 * i_ + j_)] = outKernel[u32(10 * i_ + j_)] - params.learningRate * outKernelGrad[u32(10 * i_ + j_)];
    }
  }
}
// ==== computeOutBiasGrad ====
// Layer out: gradient of the loss with respect to out/bias.
// dL/db^8[j'] = delta^8[j']
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
  if (flat >= 10) {
    return;
  }
  let j_ = flat;
  var total: f32 = 0.0;
  for (var example: i32 = 0; example < batch; example++) {
    total += outPreActivationGrad[u32(10 * example + j_)];
  }
  outBiasGrad[u32(j_)] = total / f32(batch);
  if (params.update == 1u) {
    outBias[u32(j_)] = outBias[u32(j_)] - params.learningRate * outBiasGrad[u32(j_)];
  }
}