package org.tfq.verilog;

import freemarker.core.TemplateClassResolver;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;

/**
 * FreeMarker templates loaded from the classpath, configured so that a template cannot quietly
 * produce wrong Verilog and the same model always renders the same bytes:
 * <ul>
 *   <li>strict: a missing variable or any template error throws ({@link TemplateRenderException}),
 *       never renders an empty string or an error message into the output;
 *   <li>numbers in computer format ({@code 65536}, not {@code 65,536}) and booleans as
 *       {@code true}/{@code false}, independent of the JVM locale;
 *   <li>no timestamps, no {@code ?new} or {@code ?api}: output depends on the model only, and
 *       line ends are those of the template ({@code \n}).
 * </ul>
 * Models should be maps and lists (insertion-ordered) of strings, numbers and booleans.
 * A {@code Templates} is thread-safe once built.
 */
public final class Templates {

    /** Where this module's templates live on the classpath. */
    public static final String BASE = "/org/tfq/verilog";

    private static final Templates STANDARD = new Templates(BASE);

    private final Configuration cfg;

    /** Templates under a classpath package path such as {@code /org/tfq/verilog}. */
    public Templates(String classpathBase) {
        cfg = new Configuration(Configuration.VERSION_2_3_33);
        cfg.setClassForTemplateLoading(Templates.class, classpathBase);
        cfg.setDefaultEncoding(StandardCharsets.UTF_8.name());
        cfg.setOutputEncoding(StandardCharsets.UTF_8.name());
        cfg.setLocale(Locale.ROOT);
        cfg.setTimeZone(TimeZone.getTimeZone("UTC"));
        cfg.setNumberFormat("computer");
        cfg.setBooleanFormat("c");
        cfg.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        cfg.setLogTemplateExceptions(false);
        cfg.setWrapUncheckedExceptions(true);
        cfg.setFallbackOnNullLoopVariable(false);
        cfg.setAPIBuiltinEnabled(false);
        cfg.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
        cfg.setWhitespaceStripping(true);
    }

    /** The templates of this module ({@link #BASE}). */
    public static Templates standard() {
        return STANDARD;
    }

    /** Renders the template {@code name} (relative to the base, e.g. {@code tb/tb_pipeline.v.ftl}). */
    public String render(String name, Map<String, ?> model) {
        try {
            Template t = cfg.getTemplate(name);
            StringWriter out = new StringWriter();
            t.process(model, out);
            return out.toString();
        } catch (TemplateException e) {
            throw new TemplateRenderException("template " + name + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("template " + name + " could not be read", e);
        }
    }

    /** Renders {@code name} to {@code out} (UTF-8), creating parent directories; returns {@code out}. */
    public Path render(String name, Map<String, ?> model, Path out) {
        return TextFiles.write(out, render(name, model));
    }

    /** A template that failed to render: a bug in the template or in the model built for it. */
    public static final class TemplateRenderException extends RuntimeException {
        public TemplateRenderException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
