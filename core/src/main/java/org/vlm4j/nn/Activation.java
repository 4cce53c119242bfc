package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/** The MLP activations of the families we implement. SWIGLU is handled by {@link Mlp} (it gates two halves). */
public enum Activation {
    /** Exact GELU, x * Phi(x) with the erf (PyTorch nn.GELU()). */
    GELU,
    /** GELU's tanh approximation (PyTorch GELU(approximate='tanh'), HF "gelu_pytorch_tanh"). */
    GELU_TANH,
    /** x * sigmoid(1.702 x), OpenAI CLIP's activation. */
    QUICK_GELU,
    RELU,
    /** silu(x W1) * (x W3), Llama's gated MLP; fc1 holds both halves, gate first. */
    SWIGLU;

    public NDArray apply(NDArray x) {
        return switch (this) {
            case GELU -> ai.djl.nn.Activation.gelu(x);
            case GELU_TANH -> {
                // Constants through Scalars: see its note on DJL's scalar ops under autograd.
                NDArray inner = Scalars.mul(x.add(Scalars.mul(x.mul(x).mul(x), 0.044715f)), (float) Math.sqrt(2 / Math.PI));
                yield Scalars.mul(x.mul(inner.tanh().add(1f)), 0.5f);
            }
            case QUICK_GELU -> x.mul(ai.djl.nn.Activation.sigmoid(Scalars.mul(x, 1.702f)));
            case RELU -> ai.djl.nn.Activation.relu(x);
            case SWIGLU -> throw new IllegalStateException("SwiGLU gates two halves; use Mlp");
        };
    }

    /** Reads HF / OpenCLIP activation names ("gelu", "quick_gelu", "gelu_pytorch_tanh", "silu", ...). */
    public static Activation parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "gelu", "gelu_erf" -> GELU;
            case "gelu_tanh", "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> GELU_TANH;
            case "quick_gelu", "quickgelu" -> QUICK_GELU;
            case "relu" -> RELU;
            case "swiglu", "silu", "swish" -> SWIGLU;
            default -> throw new IllegalArgumentException("unknown activation '" + name
                    + "' (known: gelu, gelu_tanh, quick_gelu, relu, swiglu)");
        };
    }
}
