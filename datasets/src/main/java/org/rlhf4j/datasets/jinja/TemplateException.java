package org.rlhf4j.datasets.jinja;

import org.rlhf4j.core.config.UserException;

/**
 * A template that cannot be parsed or rendered, with where: the template's source (a model directory
 * file or a path) and the template line.
 *
 * <p>{@link #raisedByTemplate()} tells a template's own {@code raise_exception(...)} (the template
 * rejects the conversation: the record is at fault) from a fault of the template itself.
 */
public final class TemplateException extends UserException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final boolean raisedByTemplate;

    TemplateException(String source, int line, String message, boolean raisedByTemplate) {
        super(source + ", template line " + line + ": " + message);
        this.source = source;
        this.line = line;
        this.raisedByTemplate = raisedByTemplate;
    }

    /** Where the template came from, as given to {@link JinjaTemplate#parse}. */
    public String source() {
        return source;
    }

    /** The 1-based template line of the failing tag or expression. */
    public int line() {
        return line;
    }

    /** True if the template itself called {@code raise_exception}: the input, not the template, is wrong. */
    public boolean raisedByTemplate() {
        return raisedByTemplate;
    }
}
