// The cold-start benchmark's (bench/workerd/cold-start.mjs) measure of the gate's wasm alone:
// imports the gate's build (worker/pkg/workerd.mjs compiles nothing itself: workerd hands it the
// compiled module, which it instantiates at import) and answers {} without calling into it.
import { Gate } from '../../worker/pkg/workerd.mjs';

export default {
  fetch() {
    return Response.json({ gate: typeof Gate });
  },
};
