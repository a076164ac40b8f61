package org.rlhf4j.core.reward;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Finds a {@link RewardFunction} by name and configures it: a built-in rule
 * ({@code exact_answer}, {@code regex}, {@code length_penalty}), a function registered through
 * {@link ServiceLoader} (matched by its {@link RewardFunction#name}, simple or full class name),
 * or any class on the classpath named by its fully qualified name.
 */
public final class RewardFunctions {

    private RewardFunctions() {}

    /** The built-in rule called {@code name}, or null. */
    public static RewardFunction builtIn(String name) {
        return switch (name) {
            case "exact_answer" -> new ExactAnswerReward();
            case "regex" -> new RegexReward();
            case "length_penalty" -> new LengthPenaltyReward();
            default -> null;
        };
    }

    /**
     * A new instance of the function called {@code name}, configured with {@code options}.
     *
     * @param loader where user classes and ServiceLoader registrations are looked up
     * @throws IllegalArgumentException naming what was tried when nothing matches, the class is
     *     not a RewardFunction or cannot be instantiated, or an option is wrong
     */
    public static RewardFunction load(String name, Map<String, Object> options, ClassLoader loader) {
        RewardFunction function = find(name, loader);
        function.configure(options == null ? Map.of() : options);
        return function;
    }

    /** {@link #load} with the thread's context class loader. */
    public static RewardFunction load(String name, Map<String, Object> options) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(name, options, loader != null ? loader : RewardFunctions.class.getClassLoader());
    }

    private static RewardFunction find(String name, ClassLoader loader) {
        RewardFunction builtIn = builtIn(name);
        if (builtIn != null) {
            return builtIn;
        }
        List<String> registered = new ArrayList<>();
        for (ServiceLoader.Provider<RewardFunction> provider
                : ServiceLoader.load(RewardFunction.class, loader).stream().toList()) {
            Class<? extends RewardFunction> type = provider.type();
            RewardFunction candidate = provider.get();
            registered.add(candidate.name());
            if (name.equals(candidate.name()) || name.equals(type.getName()) || name.equals(type.getSimpleName())) {
                return candidate;
            }
        }
        Class<?> type;
        try {
            type = Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("reward function '" + name + "': no built-in rule (exact_answer, regex,"
                    + " length_penalty), no ServiceLoader registration"
                    + (registered.isEmpty() ? "" : " (registered: " + String.join(", ", registered) + ")")
                    + " and no class of that name on the classpath; give the fully qualified class name and put its"
                    + " jar on the classpath");
        }
        if (!RewardFunction.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("reward function '" + name + "': the class does not implement "
                    + RewardFunction.class.getName());
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("reward function '" + name + "': the class is abstract");
        }
        try {
            Constructor<?> constructor = type.getConstructor();
            return (RewardFunction) constructor.newInstance();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("reward function '" + name + "': the class needs a public"
                    + " constructor without arguments");
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("reward function '" + name + "': cannot create an instance: " + cause,
                    cause);
        }
    }
}
