/**
 * Data for training: reading files, holding examples off-heap, preparing and batching them.
 *
 * <ul>
 *   <li>Readers: {@link dev.lanes.data.IdxReader} (MNIST-style IDX, gzip or raw) and
 *       {@link dev.lanes.data.CsvReader} (numeric tables). A file that is not what it claims fails
 *       with a {@link dev.lanes.data.DataFileException} that names the file and the byte offset or
 *       line and column.</li>
 *   <li>{@link dev.lanes.data.Dataset}: features and labels as off-heap matrices;
 *       {@link dev.lanes.data.Datasets} loads the named sets.</li>
 *   <li>Preparation: {@link dev.lanes.data.Standardizer} and {@link dev.lanes.data.MinMaxScaler}
 *       (fitted on training data only), {@link dev.lanes.data.Preprocessing} (scaling, one-hot),
 *       {@link dev.lanes.data.Splits} (seeded, optionally stratified).</li>
 *   <li>{@link dev.lanes.data.MiniBatches}: per-epoch seeded shuffles, no allocation per batch.</li>
 * </ul>
 *
 * Depends only on {@code dev.lanes.tensor} and the JDK.
 */
package dev.lanes.data;
