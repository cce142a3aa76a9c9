package dev.lanes.cli;

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
                values.put(name, "true");
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

    boolean flag(String name) { return values.containsKey(name); }

    String string(String name, String def) { return values.getOrDefault(name, def); }

    int integer(String name, int def, int min) {
        String v = values.get(name);
        if (v == null) return def;
        try {
            int x = Integer.parseInt(v.trim());
            if (x < min) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number >= " + min + ", got '" + v + "'");
        }
    }

    float floatValue(String name, float def, float min, float max) {
        String v = values.get(name);
        if (v == null) return def;
        try {
            float x = Float.parseFloat(v.trim());
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

    String choice(String name, String def, String... allowed) {
        String v = values.getOrDefault(name, def);
        for (String a : allowed) {
            if (a.equals(v)) return v;
        }
        throw new UsageException("--" + name + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
    }
}
