/**
 * The entry of one worker thread of a data-parallel CpuModel (see data-parallel.ts): it loads
 * the emitted module from its source, then answers requests to run the forward (and backward)
 * pass on a slice of the batch, in buffers the calling thread shares with it.
 *
 * Plain JavaScript, so that Node starts the same file from the sources (under vitest or tsx)
 * and from dist, where the build copies it; it imports nothing of this package.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';

const { source, layout, port } = workerData;
const { CONTROL, COMMAND, STATUS } = layout;
const control = new Int32Array(workerData.control);
const loss = new Float64Array(workerData.loss);

/** Answers `request`: the status first, then the reply that the caller waits on. */
function reply(request, status) {
  Atomics.store(control, CONTROL.status, status);
  Atomics.store(control, CONTROL.reply, request);
  Atomics.notify(control, CONTROL.reply);
}

/** Sends the error to the caller's side of the port, where it is read once the reply says so. */
function fail(request, error) {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  port.postMessage({ name, message });
  reply(request, STATUS.failed);
}

/**
 * The state a slice is computed in: per-example buffers narrowed to the slice's rows, the
 * thread's own buffers, and the shared ones as they are (as sliceState in buffer-plan.ts).
 */
function sliceState(buffers, offset, count) {
  const slice = {};
  for (const { name, kind, rowSize } of buffers.plan) {
    const whole = (kind === 'own' ? buffers.own : buffers.state)[name];
    slice[name] =
      kind === 'perExample' ? whole.subarray(offset * rowSize, (offset + count) * rowSize) : whole;
  }
  return slice;
}

/** Answers requests until told to stop; blocking in Atomics.wait is allowed off the main thread. */
function serve(generated) {
  let seen = 1;
  let buffers;
  let slice;
  let sliceKey = '';
  for (;;) {
    Atomics.wait(control, CONTROL.request, seen);
    const request = Atomics.load(control, CONTROL.request);
    if (request === seen) continue;
    seen = request;

    const command = control[CONTROL.command];
    if (command === COMMAND.stop) {
      port.close();
      reply(request, STATUS.ok);
      return;
    }
    try {
      if (command === COMMAND.attach) {
        buffers = receiveMessageOnPort(port)?.message;
        sliceKey = '';
      } else {
        const offset = control[CONTROL.offset];
        const count = control[CONTROL.count];
        if (sliceKey !== `${offset}:${count}`) {
          slice = sliceState(buffers, offset, count);
          sliceKey = `${offset}:${count}`;
        }
        loss[0] = generated.forward(slice, count);
        if (command === COMMAND.train) generated.backward(slice, count);
      }
      reply(request, STATUS.ok);
    } catch (error) {
      fail(request, error);
    }
  }
}

try {
  const compiler = await import('@symgrad/compiler');
  const generated = compiler[source.instantiate](source.text);
  reply(1, STATUS.ok);
  serve(generated);
} catch (error) {
  fail(1, error);
}
