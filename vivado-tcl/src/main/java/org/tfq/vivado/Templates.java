package org.tfq.vivado;

import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;

/**
 * The FreeMarker templates under {@code org/tfq/vivado/}: the text of the generated Tcl, XDC and
 * Makefile. Java hands them only preformatted strings, lists and flags, so the output does not
 * depend on FreeMarker's locale-aware number formatting or on anything but its inputs.
 */
final class Templates {

    private static final Configuration CONFIG = configure();

    private Templates() {}

    private static Configuration configure() {
        Configuration c = new Configuration(Configuration.VERSION_2_3_33);
        c.setClassForTemplateLoading(Templates.class, "/org/tfq/vivado/");
        c.setDefaultEncoding("UTF-8");
        c.setLocale(Locale.ROOT);
        c.setTimeZone(TimeZone.getTimeZone("UTC"));
        c.setNumberFormat("computer");
        // a missing variable or a template bug is tfq's bug: fail loudly, do not print into the file
        c.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        c.setLogTemplateExceptions(false);
        c.setWrapUncheckedExceptions(true);
        c.setFallbackOnNullLoopVariable(false);
        return c;
    }

    /** Renders {@code name} (a file under org/tfq/vivado/) with {@code model}. */
    static String render(String name, Map<String, Object> model) {
        try {
            Template t = CONFIG.getTemplate(name);
            StringWriter out = new StringWriter();
            t.process(model, out);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("template " + name + ": " + e.getMessage(), e);
        } catch (TemplateException e) {
            throw new IllegalStateException("template " + name + ": " + e.getMessage(), e);
        }
    }
}
