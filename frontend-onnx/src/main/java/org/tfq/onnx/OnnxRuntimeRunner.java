package org.tfq.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;

/**
 * Runs the original ONNX file with ONNX Runtime: the reference every import is checked against.
 * One session for all samples, one thread, no graph rewrites, so the numbers are those of the
 * file's own nodes and the same on every run.
 */
public final class OnnxRuntimeRunner {
    private OnnxRuntimeRunner() {}

    /**
     * Runs every sample of {@code samples} ({@code [N, ...input.sampleShape()]}) through the model
     * and returns the outputs stacked as {@code [N, ...output.sampleShape()]}. Samples go in
     * groups of {@link Samples#perRun} along the input's batch axis, in the bound shape the
     * import chose.
     *
     * @throws OnnxImportException when ONNX Runtime cannot load or run the model
     */
    public static FloatTensor runSamples(Path model, ModelInput input, ModelInput output, FloatTensor samples) {
        int n = Samples.count(input, samples);
        int perRun = Samples.perRun(input);
        if (Samples.perRun(output) != perRun) {
            throw new OnnxImportException(model + ": output '" + output.name() + "' " + output.shape()
                    + " does not carry the batch of " + perRun + " of input '" + input.name() + "' " + input.shape());
        }
        if (!Files.isRegularFile(model)) throw new OnnxImportException(model + ": no such file");
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "tfq");
        float[] out = Samples.newStack(output, n);
        try (OrtSession.SessionOptions opts = options(); OrtSession session = open(env, model, opts)) {
            checkSignature(model, session, input, output);
            long[] inShape = longs(input.shape());
            for (int from = 0; from < n; from += perRun) {
                FloatTensor bound = Samples.toBound(input, samples, from);
                try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(bound.data()), inShape);
                        OrtSession.Result r = session.run(Map.of(input.name(), x), java.util.Set.of(output.name()))) {
                    Samples.fromBound(output, result(model, r, output), out, n, from);
                } catch (OrtException e) {
                    throw new OnnxImportException(model + ": ONNX Runtime cannot run the model on sample " + from
                            + ": " + oneLine(e));
                }
            }
        } catch (OrtException e) {
            throw new OnnxImportException(model + ": ONNX Runtime cannot load the model: " + oneLine(e));
        }
        return new FloatTensor(Samples.stackShape(output, n), out);
    }

    private static OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(1);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        // the reference computes the file's nodes as written: no fusions that reorder arithmetic
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
        o.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        return o;
    }

    private static OrtSession open(OrtEnvironment env, Path model, OrtSession.SessionOptions opts) throws OrtException {
        // by path, so that ONNX Runtime finds external data next to the model
        return env.createSession(model.toAbsolutePath().toString(), opts);
    }

    private static void checkSignature(Path model, OrtSession s, ModelInput input, ModelInput output) throws OrtException {
        Map<String, NodeInfo> ins = s.getInputInfo();
        if (!ins.containsKey(input.name())) {
            throw new OnnxImportException(model + ": ONNX Runtime sees no input '" + input.name() + "' (it has "
                    + ins.keySet() + ")");
        }
        if (ins.size() != 1) {
            throw new OnnxImportException(model + ": the model takes " + ins.size() + " inputs " + ins.keySet()
                    + "; only single-input models can be run");
        }
        if (ins.get(input.name()).getInfo() instanceof TensorInfo t && t.type != OnnxJavaType.FLOAT) {
            throw new OnnxImportException(model + ": input '" + input.name() + "' is " + t.type + "; tfq feeds float32");
        }
        if (!s.getOutputInfo().containsKey(output.name())) {
            throw new OnnxImportException(model + ": ONNX Runtime sees no output '" + output.name() + "' (it has "
                    + s.getOutputInfo().keySet() + ")");
        }
    }

    private static FloatTensor result(Path model, OrtSession.Result r, ModelInput output) throws OrtException {
        Optional<OnnxValue> v = r.get(output.name());
        if (v.isEmpty() || !(v.get() instanceof OnnxTensor t)) {
            throw new OnnxImportException(model + ": ONNX Runtime gave no tensor for output '" + output.name() + "'");
        }
        long[] shape = t.getInfo().getShape();
        if (!Arrays.equals(shape, longs(output.shape()))) {
            throw new OnnxImportException(model + ": ONNX Runtime gives output '" + output.name() + "' the shape "
                    + Arrays.toString(shape).replace(" ", "") + ", the import bound it to " + output.shape());
        }
        float[] data;
        if (t.getInfo().type == OnnxJavaType.FLOAT) {
            FloatBuffer fb = t.getFloatBuffer();
            data = new float[fb.remaining()];
            fb.get(data);
        } else if (t.getInfo().type == OnnxJavaType.DOUBLE) {
            double[] d = new double[Math.toIntExact(t.getInfo().getNumElements())];
            t.getDoubleBuffer().get(d);
            data = new float[d.length];
            for (int i = 0; i < d.length; i++) data[i] = (float) d[i];
        } else {
            throw new OnnxImportException(model + ": output '" + output.name() + "' is " + t.getInfo().type
                    + "; tfq compares float outputs only");
        }
        return new FloatTensor(output.shape(), data);
    }

    private static long[] longs(Shape s) {
        return Arrays.stream(s.dims()).asLongStream().toArray();
    }

    /** ONNX Runtime's message on one line, without its error-code prefix and the model path it repeats. */
    static String oneLine(OrtException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        m = m.replaceFirst("^Error code - \\w+ - message: ", "");
        m = m.replaceFirst("^Load model from .*? failed:\\s*", "");
        return m.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
