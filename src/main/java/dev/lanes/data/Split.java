package dev.lanes.data;

/**
 * A dataset cut into training, development (validation) and test parts. {@code dev} or {@code test}
 * is null when its fraction was zero (MNIST, for example, comes with its own test set).
 */
public record Split(Dataset train, Dataset dev, Dataset test) implements AutoCloseable {
    @Override
    public void close() {
        train.close();
        if (dev != null) dev.close();
        if (test != null) test.close();
    }
}
