// Adam over many variables as one flat update: the gradients and the weights are concatenated
// into one vector each, the moments live in two flat buffers, and the new weights are split back
// into the variables. tf.train.adam runs about ten ops per variable; MobileNetV2 has 104
// variables, so this turns ~1,000 dispatches per step into ~15 (plus the split's slices on
// backends that slice one by one). Same arithmetic as tf.train.adam (bias-corrected moments,
// epsilon added to the root), so it can stand in for it.
import * as tf from '@tensorflow/tfjs';

export class FusedAdam {
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  private readonly sizes: number[];
  private t = 0;

  constructor(
    private readonly vars: readonly tf.Variable[],
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    this.sizes = vars.map((x) => x.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.m = tf.variable(tf.zeros([total]), false);
    this.v = tf.variable(tf.zeros([total]), false);
  }

  /** One update from gradients by variable name (those of variables not passed in are ignored). */
  applyGradients(grads: tf.NamedTensorMap): void {
    if (this.vars.length === 0) return;
    this.t++;
    const c1 = 1 / (1 - this.beta1 ** this.t);
    const c2 = 1 / (1 - this.beta2 ** this.t);
    tf.tidy(() => {
      const flat = (ts: tf.Tensor[]) => (ts.length === 1 ? tf.reshape(ts[0], [-1]) : tf.concat(ts.map((x) => tf.reshape(x, [-1]))));
      const g = flat(this.vars.map((x) => {
        const gi = grads[x.name];
        if (!gi) throw new Error(`no gradient for ${x.name}`);
        return gi;
      }));
      const w = flat([...this.vars]);
      const m = tf.add(tf.mul(this.m, this.beta1), tf.mul(g, 1 - this.beta1));
      const v = tf.add(tf.mul(this.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
      this.m.assign(m);
      this.v.assign(v);
      const direction = tf.div(tf.mul(m, c1), tf.add(tf.sqrt(tf.mul(v, c2)), this.epsilon));
      const updated = tf.sub(w, tf.mul(direction, this.lr));
      const pieces = this.vars.length === 1 ? [updated] : tf.split(updated, this.sizes);
      this.vars.forEach((x, i) => x.assign(tf.reshape(pieces[i], x.shape)));
    });
  }

  dispose(): void {
    tf.dispose([this.m, this.v]);
  }
}
