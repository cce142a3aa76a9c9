package dev.lanes.cli;

/** A mistake in how the user called the CLI: printed as one line, exit status 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
