package org.rlhf4j.core.reward;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code regex}: {@code match} (default 1) when the response matches {@code pattern} (Java
 * syntax; required), {@code no_match} (default 0) otherwise. {@code full: true} requires the whole
 * response to match; by default a match anywhere counts ({@code ^} anchors to the start).
 */
public final class RegexReward implements RewardFunction {

    private Pattern pattern;
    private double match = 1;
    private double noMatch = 0;
    private boolean full;

    @Override
    public void configure(Map<String, Object> options) {
        RewardOptions o = RewardOptions.of(name(), options).requireOnly("pattern", "match", "no_match", "full");
        String source = o.string("pattern", null);
        if (source == null) {
            throw new IllegalArgumentException("regex: option 'pattern' is required");
        }
        try {
            pattern = Pattern.compile(source);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("regex: option 'pattern' is not a valid regular expression: "
                    + e.getDescription() + " in " + source);
        }
        match = o.number("match", 1);
        noMatch = o.number("no_match", 0);
        full = o.flag("full", false);
    }

    @Override
    public double[] score(List<RewardInput> batch) {
        if (pattern == null) {
            throw new IllegalStateException("regex: configure() with a pattern first");
        }
        double[] out = new double[batch.size()];
        for (int i = 0; i < out.length; i++) {
            var m = pattern.matcher(batch.get(i).response());
            out[i] = (full ? m.matches() : m.find()) ? match : noMatch;
        }
        return out;
    }

    @Override
    public String name() {
        return "regex";
    }
}
