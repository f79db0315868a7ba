package org.tfq.passes.quant;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tfq.ir.IrException;

/**
 * Quantization cannot proceed as asked; the message says what to pass or change. A message
 * names a setting of {@link QuantOptions} as {@code {name}} ({@link #SETTINGS}), so that each
 * caller says it in its own words: the command line by its option ({@code --bits}), the API by
 * the setting's name ({@link #getMessage}). Braces that name no setting are left as they are.
 */
public class QuantizationException extends IrException {

    /** The settings a message may name, with how the API names them. */
    public static final Map<String, String> SETTINGS = Map.of(
            "bits", "bits", "bitsFor", "bitsFor", "activationBits", "activationBits", "outputBits", "outputBits",
            "rangeMargin", "rangeMargin", "weightRounding", "weightRounding", "outputTail", "wideOutputTail",
            "calibration", "calibration samples", "inputs", "the input samples",
            "layerNames", "the float IR (after '#' in its text form)");

    private static final Pattern SETTING = Pattern.compile("\\{([a-zA-Z]+)}");

    private final String template;

    public QuantizationException(String template) {
        super(render(template, SETTINGS));
        this.template = template;
    }

    /** The message with each setting named by {@code names} (setting -> words), e.g. a command line's options. */
    public String message(Map<String, String> names) {
        return render(template, names);
    }

    private static String render(String template, Map<String, String> names) {
        Matcher m = SETTING.matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String name = names.get(m.group(1));
            // braces that name no setting (in a node's name) stay as they are
            m.appendReplacement(b, Matcher.quoteReplacement(name == null ? m.group() : name));
        }
        return m.appendTail(b).toString();
    }
}
