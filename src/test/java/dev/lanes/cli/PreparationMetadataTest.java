package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A damaged preprocessing entry of a model file is named in words, not by a JVM cast message. */
class PreparationMetadataTest {
    @Test
    void aNonNumberInTheStandardizerIsNamedWithItsField() {
        UsageException e = assertThrows(UsageException.class, () -> Preparation.readFrom(
                Map.of("standardize_mean", List.of(1.0, "x"), "standardize_std", List.of(1.0, 1.0)), "m.lanes"));
        assertTrue(e.getMessage().contains("m.lanes") && e.getMessage().contains("\"standardize_mean\"[1] must be a number"),
                e.getMessage());
    }

    @Test
    void aDivisorThatIsNotANumberIsRefusedNotIgnored() {
        UsageException e = assertThrows(UsageException.class,
                () -> Preparation.readFrom(Map.of("divide_by", "255"), "m.lanes"));
        assertTrue(e.getMessage().contains("\"divide_by\" must be a number"), e.getMessage());
    }

    @Test
    void aValidEntryStillReads() {
        assertEquals("divide by 255.0", Preparation.readFrom(Map.of("divide_by", 255.0), "m.lanes").describe());
    }
}
