package dev.lanes.kernel;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;

/**
 * Chooses the kernel backend once, at first use, the way Lucene chooses its vectorization
 * provider: {@code simd} when the {@code jdk.incubator.vector} module is present and the CPU has
 * vectors of at least 256 bits, otherwise {@code loop} with one line on standard error saying why
 * and how to enable {@code simd}.
 *
 * <p>{@code -Dlanes.backend=loop|simd} forces a backend; {@code -Dlanes.threads=N} sets the default
 * instance's thread count (default: available processors).
 *
 * <p>The {@code simd} classes are loaded reflectively, so nothing here links against the incubator
 * module and a JVM without it still runs the loop kernels.
 */
public final class KernelProvider {
    static final String SIMD_CLASS = "dev.lanes.kernel.simd.SimdKernels";
    static final String LOOP_CLASS = "dev.lanes.kernel.loop.LoopKernels";
    static final String SUPPORT_CLASS = "dev.lanes.kernel.simd.SimdSupport";

    private KernelProvider() {}

    /** Why simd cannot run here, or {@code null} when it can. */
    public static String simdUnavailableReason() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the jdk.incubator.vector module is not loaded; run java with --add-modules jdk.incubator.vector";
        }
        try {
            int bits = (int) Class.forName(SUPPORT_CLASS).getMethod("preferredBits").invoke(null);
            if (bits < 256) {
                return "this CPU's preferred float vector is " + bits + " bits; the simd kernels need at least 256";
            }
            return null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return "the Vector API could not be initialised (" + e + ")";
        }
    }

    /** The backend {@link Kernels#get()} uses: the forced one, else simd when available, else loop. */
    public static String defaultBackend() {
        String b = chosenBackend;
        if (b == null) {
            synchronized (KernelProvider.class) {
                b = chosenBackend;
                if (b == null) chosenBackend = b = chooseBackend();
            }
        }
        return b;
    }

    /** The thread count {@link Kernels#get()} uses. */
    public static int defaultThreads() {
        String p = System.getProperty("lanes.threads");
        if (p != null && !p.isBlank()) {
            try {
                int t = Integer.parseInt(p.trim());
                if (t >= 1) return t;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("-Dlanes.threads must be a whole number >= 1, got '" + p + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    static Kernels defaultKernels() {
        Kernels k = sharedKernels;
        if (k == null) {
            synchronized (KernelProvider.class) {
                k = sharedKernels;
                if (k == null) {
                    sharedKernels = k = instantiate(defaultBackend().equals("simd") ? SIMD_CLASS : LOOP_CLASS,
                            defaultThreads(), true);
                }
            }
        }
        return k;
    }

    /** New kernels of {@code backend} ("loop" or "simd") with {@code threads} worker threads. */
    public static Kernels create(String backend, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        String b = backend.toLowerCase(Locale.ROOT).trim();
        return switch (b) {
            case "loop" -> instantiate(LOOP_CLASS, threads, false);
            case "simd" -> {
                String why = simdUnavailableReason();
                if (why != null) {
                    throw new IllegalStateException("the simd backend cannot run here: " + why);
                }
                yield instantiate(SIMD_CLASS, threads, false);
            }
            default -> throw new IllegalArgumentException("unknown backend '" + backend + "' (expected loop or simd)");
        };
    }

    private static Kernels instantiate(String className, int threads, boolean shared) {
        try {
            return (Kernels) Class.forName(className).getConstructor(int.class, boolean.class)
                    .newInstance(threads, shared);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException("cannot create " + className, e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + className, e);
        }
    }

    /**
     * The backend -Dlanes.backend forces ("loop" or "simd", checked), or {@code null} without one.
     * Not cached, unlike {@link #defaultBackend}: a command line reads it for its own default.
     */
    public static String forcedBackend() {
        String forced = System.getProperty("lanes.backend");
        if (forced == null || forced.isBlank()) return null;
        String f = forced.toLowerCase(Locale.ROOT).trim();
        if (f.equals("loop")) return "loop";
        if (f.equals("simd")) {
            String why = simdUnavailableReason();
            if (why != null) throw new IllegalStateException("-Dlanes.backend=simd was requested but " + why);
            return "simd";
        }
        throw new IllegalArgumentException("-Dlanes.backend must be loop or simd, got '" + forced + "'");
    }

    /*
     * Chosen once, at first use, but not in a static initializer: a bad -Dlanes.backend or
     * -Dlanes.threads would then reach an embedding application as an ExceptionInInitializerError,
     * and every later call as a NoClassDefFoundError that no longer says which setting was wrong. A
     * failed choice is not remembered, so each call throws the exception naming the setting.
     * The backend is kept apart from the kernels, so asking for it starts no worker threads.
     */
    private static volatile String chosenBackend;
    private static volatile Kernels sharedKernels;

    private static String chooseBackend() {
        String forced = forcedBackend();
        if (forced != null) return forced;
        String why = simdUnavailableReason();
        if (why != null) {
            System.err.println("WARNING: Lanes is using the slow loop kernels because " + why + ".");
            return "loop";
        }
        return "simd";
    }
}