package dev.lanes.data;

import dev.lanes.tensor.Matrix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loaders for the datasets Lanes knows by name. MNIST, optdigits, ILPD and California housing are
 * bundled in the repository's {@code data/} folder ({@link #bundledRoot()}); Fashion-MNIST is read
 * from a folder the user gives. Each loader checks what it reads (counts, label ranges) and fails
 * with a {@link DataFileException} naming the file.
 */
public final class Datasets {
    /** System property that overrides where the bundled datasets are. */
    public static final String ROOT_PROPERTY = "lanes.data.dir";

    private static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final List<String> DIGITS = Dataset.numberedNames("", 10);

    private Datasets() {}

    /** The folder of bundled datasets: the {@value #ROOT_PROPERTY} property, else {@code data} in the working directory. */
    public static Path bundledRoot() {
        return Path.of(System.getProperty(ROOT_PROPERTY, "data"));
    }

    /**
     * MNIST digits, 10 classes (0–9): 60,000 training and 10,000 test images of 28×28 pixels, as
     * 784 features scaled to [0, 1]. {@code dir} holds the four IDX files, gzip or raw. The split has
     * no dev part; carve one from train with {@link Splits}.
     */
    public static Split mnist(Path dir) {
        return idxPair(dir, DIGITS, 60_000, 10_000);
    }

    /**
     * Fashion-MNIST, 10 classes of clothing (T-shirt/top, Trouser, …, Ankle boot): 60,000 training
     * and 10,000 test images of 28×28 pixels in [0, 1]. Same file names and format as MNIST.
     */
    public static Split fashionMnist(Path dir) {
        return idxPair(dir, FASHION_CLASSES, 60_000, 10_000);
    }

    /**
     * Optical digits (UCI optdigits), 10 classes (0–9): 3,823 training and 1,797 test rows of 64
     * features, counts 0–16 of an 8×8 grid (raw; standardize or divide by 16). Files
     * {@code optdigits.tra} and {@code optdigits.tes}.
     */
    public static Split optdigits(Path dir) {
        CsvReader reader = CsvReader.builder()
                .columnNames(optdigitsColumns())
                .classLabels("digit").classNames(DIGITS.toArray(String[]::new))
                .build();
        Dataset train = reader.read(dir.resolve("optdigits.tra")).dataset();
        try {
            Dataset test = reader.read(dir.resolve("optdigits.tes")).dataset();
            return new Split(train, null, test);
        } catch (RuntimeException e) {
            train.close();
            throw e;
        }
    }

    /**
     * Indian Liver Patient Dataset (UCI ILPD), binary: class 1 "liver patient" (416 rows), class 0
     * "non-liver patient" (167 rows); 583 rows, 10 features. Gender is coded Female = 0, Male = 1;
     * the 4 empty A/G Ratio cells get the column median (computed over all rows: a negligible leak
     * of 4 cells, taken so that every split sees the same values). No test set: split it.
     */
    public static Dataset ilpd(Path dir) {
        return ilpdTable(dir).dataset();
    }

    /**
     * {@link #ilpd} with what its reading recorded: Gender's codes, and a fill for every feature column
     * (its median; Gender's most frequent code), so that new rows with a gap anywhere can be filled
     * as a fitted imputer would, though only A/G Ratio has gaps here.
     */
    public static CsvTable ilpdTable(Path dir) {
        CsvTable table = CsvReader.builder()
                .columnNames("Age", "Gender", "TB", "DB", "Alkphos", "Sgpt", "Sgot", "TP", "ALB", "A/G Ratio", "Selector")
                .categorical("Gender", "Female", "Male")
                .classLabels("Selector").classNames("2", "1")
                .impute(CsvReader.Missing.MEDIAN)
                .fillEveryColumn()
                .build()
                .read(dir.resolve("Indian Liver Patient Dataset (ILPD).csv"));
        return new CsvTable(table.dataset().withClassNames(List.of("non-liver patient", "liver patient")),
                table.columns(), table.categories(), table.oneHot(), table.imputed());
    }

    /**
     * California housing (Pace and Barry, 1990 census), regression: the median house value of a
     * block group in units of 100,000 USD (as scikit-learn scales it; capped at 5.00001), from 8
     * raw features (longitude, latitude, housingMedianAge, totalRooms, totalBedrooms, population,
     * households, medianIncome). 20,640 rows; no test set: split it, and standardize the features.
     */
    public static Dataset californiaHousing(Path dir) {
        Dataset data = CsvReader.builder()
                .columnNames("longitude", "latitude", "housingMedianAge", "totalRooms", "totalBedrooms",
                        "population", "households", "medianIncome", "medianHouseValue")
                .target("medianHouseValue")
                .build()
                .read(dir.resolve("cal_housing.data"))
                .dataset();
        Preprocessing.divide(data.labels(), 100_000f);
        return data;
    }

    private static String[] optdigitsColumns() {
        String[] names = new String[65];
        for (int i = 0; i < 64; i++) names[i] = "r" + (i / 8) + "c" + (i % 8);
        names[64] = "digit";
        return names;
    }

    private static Split idxPair(Path dir, List<String> classes, int trainCount, int testCount) {
        Dataset train = idxSet(dir, "train", classes, trainCount, 0);
        try {
            return new Split(train, null, idxSet(dir, "t10k", classes, testCount, train.featureCount()));
        } catch (RuntimeException e) {
            train.close();
            throw e;
        }
    }

    /** {@code expectedPixels}: the size the images must have (those of the training set), or 0 for any. */
    private static Dataset idxSet(Path dir, String prefix, List<String> classes, int expectedCount, int expectedPixels) {
        Path imagesFile = find(dir, prefix + "-images", "idx3-ubyte");
        Path labelsFile = find(dir, prefix + "-labels", "idx1-ubyte");
        Matrix images = IdxReader.readImages(imagesFile, 255f);
        Matrix labels = null;
        try {
            labels = IdxReader.readLabels(labelsFile);
            if (images.rows() != expectedCount) {
                throw DataFileException.atOffset(imagesFile, 4, "holds " + images.rows() + " images, expected " + expectedCount);
            }
            if (expectedPixels > 0 && images.cols() != expectedPixels) {
                // Caught here, not when the trained model first meets the test set.
                throw DataFileException.atOffset(imagesFile, 8, "holds images of " + images.cols() + " pixels, but the"
                        + " training images hold " + expectedPixels + ": train and test images must be the same size");
            }
            if (labels.rows() != images.rows()) {
                throw DataFileException.atOffset(labelsFile, 4, "holds " + labels.rows() + " labels but "
                        + imagesFile.getFileName() + " holds " + images.rows() + " images");
            }
            for (int r = 0; r < labels.rows(); r++) {
                if (labels.get(r, 0) >= classes.size()) {
                    throw DataFileException.atOffset(labelsFile, 8 + r, "label " + (int) labels.get(r, 0)
                            + " is not a class id 0.." + (classes.size() - 1));
                }
            }
            return Dataset.classification(images, labels, Dataset.numberedNames("pixel", images.cols()), classes);
        } catch (RuntimeException e) {
            images.close();
            if (labels != null) labels.close();
            throw e;
        }
    }

    /** {@code name-kind} or the original's dotted {@code name.kind}, gzip ({@code .gz}) or raw. */
    private static Path find(Path dir, String name, String kind) {
        String[] candidates = {name + "-" + kind + ".gz", name + "-" + kind, name + "." + kind + ".gz", name + "." + kind};
        for (String c : candidates) {
            Path p = dir.resolve(c);
            if (Files.isRegularFile(p)) return p;
        }
        throw DataFileException.ofFile(dir.resolve(candidates[0]), "no such file (also looked for "
                + String.join(", ", List.of(candidates).subList(1, candidates.length)) + " in " + dir + ")", null);
    }
}
