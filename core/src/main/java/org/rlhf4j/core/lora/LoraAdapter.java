package org.rlhf4j.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.rlhf4j.core.ops.Scalars;

/**
 * The low-rank adapter of one projection {@code W} (out, in): it adds
 * {@code scale * (drop(x) A^T) B^T} to the projection's output, with {@code A} (r, in) and
 * {@code B} (out, r) in float32 whatever the base's dtype, as PEFT's {@code lora.Linear} does.
 * Whether it is on, its dropout and its scale belong to the {@link LoraAdapters} it is part of.
 */
public final class LoraAdapter {

    private final String module;
    private final NDArray a;
    private final NDArray b;
    private final LoraAdapters owner;

    LoraAdapter(String module, NDArray a, NDArray b, LoraAdapters owner) {
        this.module = module;
        this.a = a;
        this.b = b;
        this.owner = owner;
    }

    /** The module path of the wrapped projection, e.g. {@code model.layers.0.self_attn.q_proj}. */
    public String module() {
        return module;
    }

    /** {@code A} (r, in), float32. */
    public NDArray a() {
        return a;
    }

    /** {@code B} (out, r), float32. */
    public NDArray b() {
        return b;
    }

    /**
     * {@code w32 + scale * B A}, the projection with this adapter folded in, for a float32 weight
     * (out, in); the result belongs to {@code w32}'s manager. {@code w32} itself while the adapters
     * are switched off.
     */
    public NDArray foldInto(NDArray w32) {
        if (!owner.enabled()) {
            return w32;
        }
        NDManager work = w32.getManager();
        NDArray b32 = b.duplicate();
        b32.attach(work);
        NDArray a32 = a.duplicate();
        a32.attach(work);
        return w32.add(b32.matMul(a32).mul(Scalars.of(work, owner.config().scale())));
    }

    /**
     * {@code y + scale * (drop(x) A^T) B^T} for the projection's input {@code x} (..., in) and output
     * {@code y} (..., out); {@code y} itself while the adapters are switched off. Dropout applies only
     * while gradients are recorded (training), never when scoring or generating.
     */
    public NDArray addTo(NDArray y, NDArray x) {
        if (!owner.enabled()) {
            return y;
        }
        NDArray in = x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        in = owner.dropout(in, module);
        // The receiver is the activation, so every result belongs to its (per-call) manager. The scale
        // multiplies the rank-r activations rather than the output, a smaller tensor (PEFT scales the
        // output; the two agree to float rounding).
        NDArray down = in.getNDArrayInternal().linear(in, a, null).singletonOrThrow(); // (..., r)
        NDArray scaled = down.mul(Scalars.of(x.getManager(), owner.config().scale()));
        NDArray up = scaled.getNDArrayInternal().linear(scaled, b, null).singletonOrThrow(); // (..., out)
        NDArray delta = y.getDataType() == DataType.FLOAT32 ? up : up.toType(y.getDataType(), false);
        NDArray sum = y.add(delta);
        // Intermediates closed at once: DJL would keep them until the step's manager closes, several
        // activation-sized tensors per projection; autograd holds what backward needs by itself.
        if (delta != up) {
            delta.close();
        }
        up.close();
        down.close();
        return sum;
    }
}
