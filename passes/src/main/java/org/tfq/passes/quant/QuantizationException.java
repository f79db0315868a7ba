package org.tfq.passes.quant;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.tfq.ir.IrException;

/**
 * Quantization cannot proceed as asked; the message says what to pass or change. A message that
 * names a setting of {@link QuantOptions} is a format ({@code %s}) whose arguments include the
 * {@link Setting}, so that each caller says it in its own words: the command line by its option
 * ({@code --bits}), the API by the setting's name ({@link #getMessage}). Names from the model are
 * always arguments, never part of the format, so no name can read as a setting.
 */
public class QuantizationException extends IrException {

    /** The settings a message may name, with how the API names them. */
    public enum Setting {
        BITS("bits"), BITS_FOR("bitsFor"), ACTIVATION_BITS("activationBits"), OUTPUT_BITS("outputBits"),
        RANGE_MARGIN("rangeMargin"), WEIGHT_ROUNDING("weightRounding"), OUTPUT_TAIL("wideOutputTail"),
        CALIBRATION("calibration samples"), INPUTS("the input samples"), LAYER_NAMES("the float IR's text form (after '#')");

        private final String apiName;

        Setting(String apiName) {
            this.apiName = apiName;
        }
    }

    private final String format;
    private final Object[] args;

    /** A message that names no setting, as it is. */
    public QuantizationException(String message) {
        super(message);
        this.format = null;
        this.args = null;
    }

    /** A message from {@code format} and {@code args}, among which {@link Setting}s. */
    public QuantizationException(String format, Object... args) {
        super(render(format, args, s -> s.apiName));
        this.format = format;
        this.args = args.clone();
    }

    /** The message with each setting said as {@code names} says it, e.g. a command line's options. */
    public String message(Map<Setting, String> names) {
        return format == null ? getMessage() : render(format, args, s -> names.getOrDefault(s, s.apiName));
    }

    private static String render(String format, Object[] args, Function<Setting, String> name) {
        Object[] said = new Object[args.length];
        for (int i = 0; i < args.length; i++) said[i] = args[i] instanceof Setting s ? name.apply(s) : args[i];
        return String.format(Locale.ROOT, format, said);
    }
}
