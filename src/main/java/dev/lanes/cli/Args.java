package dev.lanes.cli;

import dev.lanes.kernel.KernelProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} and {@code --flag} options after a command. Every option must be declared;
 * anything else is a {@link UsageException} naming it.
 */
final class Args {
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    Args(String command, List<String> args, Set<String> valued, Set<String> flags) {
        for (int i = 0; i < args.size(); i++) {
            String s = args.get(i);
            if (!s.startsWith("--")) {
                positional.add(s);
                continue;
            }
            String name = s.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                // --flag=false must not switch the flag on; anything but true/false is a mistake.
                if (inline == null || inline.equals("true")) {
                    values.put(name, "true");
                } else if (inline.equals("false")) {
                    values.put(name, "false");
                } else {
                    throw new UsageException(command + ": --" + name + " is an on/off flag: give it alone, or as --"
                            + name + "=true or --" + name + "=false, not '" + inline + "'");
                }
            } else if (valued.contains(name)) {
                if (inline == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(command + ": option --" + name + " needs a value");
                    }
                    inline = args.get(++i);
                }
                values.put(name, inline);
            } else {
                throw new UsageException(command + ": unknown option --" + name + " (try 'lanes help')");
            }
        }
    }

    List<String> positional() { return positional; }

    boolean flag(String name) { return "true".equals(values.get(name)); }

    /** An on/off flag as given: true, false ({@code --name=false}), or null when not given. */
    Boolean setting(String name) {
        String v = values.get(name);
        return v == null ? null : Boolean.valueOf(v);
    }

    String string(String name, String def) { return values.getOrDefault(name, def); }

    int integer(String name, int def, int min) {
        return integer(name, def, min, Integer.MAX_VALUE);
    }

    int integer(String name, int def, int min, int max) {
        String v = values.get(name);
        if (v == null) return def;
        try {
            int x = Integer.parseInt(v.trim());
            if (x < min || x > max) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number from " + min + " to " + max + ", got '" + v + "'");
        }
    }

    /**
     * A decimal number as a user writes one (1, 0.5, .5, 1e-3); Float.parseFloat also takes "0.01f",
     * "1d" and hex floats, which no user means.
     *
     * @throws NumberFormatException for anything else
     */
    static float decimal(String text) {
        String t = text.trim();
        if (!DECIMAL.matcher(t).matches()) throw new NumberFormatException("not a decimal number: " + text);
        return Float.parseFloat(t);
    }

    /** As {@link #decimal}, in double precision (a threshold of 0.05 should stay 0.05, not 0.05000000074505806). */
    static double decimalDouble(String text) {
        String t = text.trim();
        if (!DECIMAL.matcher(t).matches()) throw new NumberFormatException("not a decimal number: " + text);
        return Double.parseDouble(t);
    }

    float floatValue(String name, float def, float min, float max) {
        String v = values.get(name);
        if (v == null) return def;
        try {
            float x = decimal(v);
            if (!(x >= min && x <= max)) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number in [" + min + ", " + max + "], got '" + v + "'");
        }
    }

    long longValue(String name, long def) {
        String v = values.get(name);
        if (v == null) return def;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    /** Thread counts past this are a typo, not a machine: each thread is a real one with its own stack. */
    static final int MAX_THREADS = 1024;

    /**
     * --threads, defaulting to -Dlanes.threads or the number of CPUs. More threads than CPUs only
     * take turns on them (and spin while they wait), so that gets a warning on stderr.
     */
    int threads() {
        int cpus = Runtime.getRuntime().availableProcessors();
        int t;
        if (values.containsKey("threads")) {
            t = integer("threads", 1, 1, MAX_THREADS); // a -Dlanes.threads mistake must not fail an explicit --threads
        } else {
            try {
                t = KernelProvider.defaultThreads();
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        if (t > MAX_THREADS) {
            throw new UsageException("--threads must be at most " + MAX_THREADS + " (this machine has " + cpus
                    + " CPUs), got " + t);
        }
        if (t > cpus) {
            Main.warnOnce("lanes: warning: " + t + " threads on " + cpus + " CPUs; the extra threads only wait"
                    + " for a CPU, so this runs slower than --threads " + cpus);
        }
        return t;
    }

    /** --backend, defaulting to -Dlanes.backend or, without it, simd where it can run. */
    String backend() {
        if (values.containsKey("backend")) {
            String b = choice("backend", null, "simd", "loop");
            // Refused here, before any data is read, and as the usage mistake -Dlanes.backend=simd is.
            String why = b.equals("simd") ? KernelProvider.simdUnavailableReason() : null;
            if (why != null) throw new UsageException("--backend simd cannot run here: " + why);
            return b;
        }
        String forced;
        try {
            forced = KernelProvider.forcedBackend();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }
        if (forced != null) return forced;
        String why = KernelProvider.simdUnavailableReason();
        if (why == null) return "simd";
        Main.warnOnce("lanes: warning: using the slow loop kernels because " + why);
        return "loop";
    }

    String choice(String name, String def, String... allowed) {
        String v = values.getOrDefault(name, def);
        for (String a : allowed) {
            if (a.equals(v)) return v;
        }
        throw new UsageException("--" + name + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
    }
}
